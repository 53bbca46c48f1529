import * as tf from '@tensorflow/tfjs-core';
import { MagicError } from './errors.js';
import { registerAllGradients } from './vendor/register-all-gradients.js';

const PROBES = ['Sum', 'BatchMatMul', 'GatherV2', 'Softmax'];

/**
 * Node's tfjs-core build registers no gradients. Registers them all once per process (a no-op if they are
 * already there), then checks a few. Runs when this module is imported, so importing `@magic/tensor` is enough.
 */
export function ensureGradients(): void {
  if (tf.getGradient('Sum') === undefined) registerAllGradients();
  for (const kernel of PROBES) {
    if (tf.getGradient(kernel) === undefined) {
      throw new MagicError('NO_GRADIENTS', `no gradient registered for ${kernel}: tfjs-core gradients missing`);
    }
  }
}

ensureGradients();
