import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { sumTensors } from './sum-tensors.js';

/** sqrt(sum ||g||^2) over all gradients. */
export async function globalNorm(grads: tf.Tensor[]): Promise<number> {
  const sq = tf.tidy(() => sumTensors(grads.map((g) => tf.sum(tf.square(g)))));
  const v = at(await sq.data(), 0, 'scalar sq');
  sq.dispose();
  return Math.sqrt(v);
}
