import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { sumTensors } from './sum-tensors.js';

/** sum ||g||^2 over all gradients as a float32 scalar (a tree of addN over the per-tensor sums, in list order). */
export function globalSquareSum(grads: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => sumTensors(grads.map((g) => tf.sum(tf.square(g)))) as tf.Scalar);
}

/** sqrt(sum ||g||^2) over all gradients. */
export async function globalNorm(grads: tf.Tensor[]): Promise<number> {
  const sq = globalSquareSum(grads);
  const v = at(await sq.data(), 0, 'scalar sq');
  sq.dispose();
  return Math.sqrt(v);
}
