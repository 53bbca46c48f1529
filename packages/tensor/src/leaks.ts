import * as tf from '@tensorflow/tfjs-core';
import { MagicError } from './errors.js';

/** Thrown by expectNoLeaks when a block left tensors behind. */
export class TensorLeakError extends MagicError {
  readonly leaked: number;
  constructor(leaked: number, before: number, after: number) {
    super('TENSOR_LEAK', `${leaked} tensor(s) leaked (numTensors ${before} -> ${after})`);
    this.leaked = leaked;
  }
}

/**
 * Runs `fn` and throws TensorLeakError if `tf.memory().numTensors` grew across it.
 * Tensors returned by `fn` count as leaks: return plain values (e.g. `await t.data()` then dispose).
 */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after > before) throw new TensorLeakError(after - before, before, after);
  return result;
}
