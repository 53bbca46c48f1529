import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedLookup } from './model.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

describe('embedLookup', () => {
  it('has the same value and gradient as tf.gather (repeated ids included)', async () => {
    const embed = tf.randomNormal([7, 3], 0, 1, 'float32', 1);
    const ids = tf.tensor2d(
      [
        [1, 4, 4],
        [0, 6, 1],
      ],
      undefined,
      'int32',
    );
    const weight = tf.randomNormal([2, 3, 3], 0, 1, 'float32', 2);
    const ours = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(embedLookup(e, ids), weight)))(embed);
    const ref = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, ids), weight)))(embed);
    expect(Array.from(await ours.data())).toEqual(Array.from(await ref.data()).map((v) => expect.closeTo(v, 5)));
    const v1 = await embedLookup(embed, ids).array();
    const v2 = await tf.gather(embed, ids).array();
    expect(v1).toEqual(v2);
    tf.dispose([embed, ids, weight, ours, ref]);
  });
});

describe('sumTensors', () => {
  it('sums many tensors through small addN groups', async () => {
    const { sumTensors } = await import('./sum-tensors.js');
    const xs = Array.from({ length: 300 }, (_, i) => tf.scalar(i));
    const s = sumTensors(xs);
    expect((await s.data())[0]).toBe((299 * 300) / 2);
    tf.dispose([...xs, s]);
  });
});
