import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend.js';
import { expectSameGrads } from './cpu-test-helpers.js';
import { fusedRmsNorm, rmsNormReference } from './rms-norm.js';
import { normal } from './test-helpers.js';

beforeAll(() => initBackend({ device: 'cpu' }));

describe('fusedRmsNorm (cpu: reference forward, custom gradient)', () => {
  it('custom gradient matches autodiff of the reference (rank 3 and rank 2)', async () => {
    for (const shape of [
      [2, 3, 96],
      [4, 17],
    ]) {
      const h = at(shape, shape.length - 1, 'shape');
      await expectSameGrads(
        () => [normal(1, shape), tf.add(normal(2, [h], 0.1), 1)],
        (x, w) => fusedRmsNorm(defined(x, 'x'), defined(w, 'w'), 1e-6),
        (x, w) => rmsNormReference(defined(x, 'x'), defined(w, 'w'), 1e-6),
        (s) => normal(3, s),
      );
    }
  });

  it('rejects a weight of the wrong size', () => {
    tf.tidy(() => {
      expect(() => fusedRmsNorm(tf.zeros([2, 8]), tf.ones([7]), 1e-6)).toThrow(/weight shape \[7\]/);
    });
  });
});
