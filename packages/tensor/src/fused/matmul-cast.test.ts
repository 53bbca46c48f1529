import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { useSoftwareWebGpu } from './test-helpers.js';

// Regression: on WebGPU a float32 tensor cast from int32 (e.g. a one-hot) can still sit in an int32 buffer;
// the tiled GEMM must leave such inputs to tfjs' own program (it generated invalid WGSL for them).
useSoftwareWebGpu({ withCpu: false });

it('matmul of a cast int32 one-hot equals the row gather', async () => {
  const w = tf.tensor2d(
    Array.from({ length: 6 * 5 }, (_, i) => i * 0.5),
    [6, 5],
  );
  const ids = tf.tensor1d([4, 0, 2], 'int32');
  const oh = tf.cast(tf.oneHot(ids, 6), 'float32');
  const got = tf.matMul(oh, w);
  const want = tf.gather(w, ids);
  expect(await got.array()).toEqual(await want.array());
  const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.matMul(oh, x as tf.Tensor2D)))(w);
  expect((await grad.data()).some((v) => v !== 0)).toBe(true);
  tf.dispose([w, ids, oh, got, want, grad]);
});
