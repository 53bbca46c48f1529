import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend.js';
import { expectSameGrads } from './cpu-test-helpers.js';
import { fusedSwiGlu, swiGluReference } from './swiglu.js';
import { normal } from './test-helpers.js';

beforeAll(() => initBackend({ device: 'cpu' }));

describe('fusedSwiGlu (cpu: reference forward, custom gradient)', () => {
  it('custom gradients for gate and up match autodiff of the reference', async () => {
    await expectSameGrads(
      () => [normal(1, [3, 5, 40], 4), normal(2, [3, 5, 40])],
      (g, u) => fusedSwiGlu(defined(g, 'g'), defined(u, 'u')),
      (g, u) => swiGluReference(defined(g, 'g'), defined(u, 'u')),
      (s) => normal(3, s),
    );
  });

  it('rejects different shapes', () => {
    tf.tidy(() => {
      expect(() => fusedSwiGlu(tf.zeros([2, 3]), tf.zeros([3, 2]))).toThrow(/must have the same shape/);
    });
  });
});
