import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend.js';
import { expectSameGrads } from './cpu-test-helpers.js';
import { fusedRopeAt, ropeAtReference } from './rope-at.js';
import { normal } from './test-helpers.js';

beforeAll(() => initBackend({ device: 'cpu' }));

describe('fusedRopeAt (cpu: reference forward, custom gradient)', () => {
  it('custom gradient for x matches autodiff of the reference', async () => {
    const positions = () =>
      tf.tensor2d(
        [
          [0, 1, 2],
          [3, 50, 700],
        ],
        [2, 3],
        'int32',
      );
    await expectSameGrads(
      () => [normal(1, [2, 4, 3, 16])],
      (x) => fusedRopeAt(x as tf.Tensor4D, positions(), 1e4),
      (x) => ropeAtReference(x as tf.Tensor4D, positions(), 1e4),
      (s) => normal(2, s),
    );
  });

  it('rejects float positions', () => {
    tf.tidy(() => {
      const x = tf.zeros([1, 2, 3, 8]) as tf.Tensor4D;
      expect(() => fusedRopeAt(x, tf.zeros([1, 3]) as tf.Tensor2D, 1e4)).toThrow(/positions must be int32/);
    });
  });
});
