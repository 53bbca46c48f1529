import * as tf from '@tensorflow/tfjs-core';
import './vendor/register-all-gradients.js';
import { MagicError } from './errors.js';

/**
 * Node's tfjs-core build registers no gradients; importing this module (and so `@magic/tensor`) registers
 * them all once. `ensureGradients()` checks that they are there (for callers that want to be explicit).
 */
export function ensureGradients(): void {
  for (const kernel of ['Sum', 'BatchMatMul', 'GatherV2', 'Softmax']) {
    if (tf.getGradient(kernel) === undefined) {
      throw new MagicError('NO_GRADIENTS', `no gradient registered for ${kernel}: tfjs-core gradients missing`);
    }
  }
}
