import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend.js';
import { decodeAttention } from './decode-attention.js';
import { closeness, computeOn, normal } from './test-helpers.js';

beforeAll(() => initBackend({ device: 'cpu' }));

describe('decodeAttention (cpu reference)', () => {
  it('matches per-head softmax attention written out with the kv head of each query head', async () => {
    const [b, nh, kvh, s, d] = [2, 4, 2, 5, 8];
    const [got, want] = await computeOn('cpu', () => {
      const q = normal(1, [b, nh, 1, d]) as tf.Tensor4D;
      const k = normal(2, [b, kvh, s, d]) as tf.Tensor4D;
      const v = normal(3, [b, kvh, s, d]) as tf.Tensor4D;
      const bias = tf.tensor4d([0, 0, 0, 0, 0, -1e9, -1e9, 0, 0, 0], [b, 1, 1, s]);
      const heads: tf.Tensor[] = [];
      for (let bi = 0; bi < b; bi++) {
        for (let h = 0; h < nh; h++) {
          const g = Math.floor(h / (nh / kvh));
          const qh = tf.reshape(tf.slice(q, [bi, h, 0, 0], [1, 1, 1, d]), [1, d]);
          const kh = tf.reshape(tf.slice(k, [bi, g, 0, 0], [1, 1, s, d]), [s, d]);
          const vh = tf.reshape(tf.slice(v, [bi, g, 0, 0], [1, 1, s, d]), [s, d]);
          const sc = tf.add(
            tf.mul(tf.matMul(qh, kh, false, true), 0.5),
            tf.reshape(tf.slice(bias, [bi, 0, 0, 0], [1, 1, 1, s]), [1, s]),
          );
          heads.push(tf.matMul(tf.softmax(sc), vh));
        }
      }
      return [decodeAttention(q, k, v, bias, 0.5), tf.stack(heads)];
    });
    const c = closeness(defined(got, 'got'), defined(want, 'want'), 1e-5, 1e-5);
    expect(c.excess, `max abs error ${c.maxAbs}`).toBeLessThanOrEqual(0);
  });

  it('rejects heads that are not a multiple of the kv heads', () => {
    tf.tidy(() => {
      const q = tf.zeros([1, 3, 1, 4]) as tf.Tensor4D;
      const kv = tf.zeros([1, 2, 5, 4]) as tf.Tensor4D;
      expect(() => decodeAttention(q, kv, kv, tf.zeros([1, 1, 1, 5]) as tf.Tensor4D, 1)).toThrow(
        /multiple of kv heads/,
      );
    });
  });
});
