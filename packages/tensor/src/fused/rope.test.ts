import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend.js';
import { expectSameGrads } from './cpu-test-helpers.js';
import { fusedRope, ropeReference } from './rope.js';
import { normal, ropeTablesFor } from './test-helpers.js';

beforeAll(() => initBackend({ device: 'cpu' }));

describe('fusedRope (cpu: reference forward, custom gradient)', () => {
  it('custom gradients for x, cos and sin match autodiff of the reference', async () => {
    await expectSameGrads(
      () => {
        const { cos, sin } = ropeTablesFor(
          [
            [0, 1, 2],
            [5, 9, 40],
          ],
          16,
          1e4,
        );
        return [normal(1, [2, 3, 3, 16]), cos, sin];
      },
      (x, c, s) => fusedRope(x as tf.Tensor4D, c as tf.Tensor4D, s as tf.Tensor4D),
      (x, c, s) => ropeReference(x as tf.Tensor4D, c as tf.Tensor4D, s as tf.Tensor4D),
      (s) => normal(2, s),
    );
  });

  it('rejects tables that do not match x', () => {
    tf.tidy(() => {
      const x = tf.zeros([1, 2, 3, 8]) as tf.Tensor4D;
      const bad = tf.zeros([1, 1, 4, 8]) as tf.Tensor4D;
      expect(() => fusedRope(x, bad, bad)).toThrow(/cos must be \[1,1,3,8\]/);
    });
  });
});
