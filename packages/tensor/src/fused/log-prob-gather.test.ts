import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend.js';
import { expectSameGrads } from './cpu-test-helpers.js';
import { logProbGather, logProbGatherReference } from './log-prob-gather.js';
import { computeOn, normal } from './test-helpers.js';

beforeAll(() => initBackend({ device: 'cpu' }));

describe('logProbGather (cpu: reference forward, custom gradient)', () => {
  it('equals log-softmax at the ids', async () => {
    const [got, ref] = await computeOn('cpu', () => {
      const logits = normal(1, [3, 50], 3) as tf.Tensor2D;
      const ids = tf.tensor1d([4, 0, 49], 'int32');
      const lsm = tf.logSoftmax(logits);
      const picked = tf.stack(
        [0, 1, 2].map((i) => tf.reshape(tf.slice(lsm, [i, at([4, 0, 49], i, '[4, 0, 49]')], [1, 1]), [])),
      );
      return [logProbGather(logits, ids), picked];
    });
    for (let i = 0; i < 3; i++) expect(defined(got, 'got')[i]).toBeCloseTo(at(defined(ref, 'ref'), i, 'ref'), 5);
  });

  it('gradient dy * (onehot - softmax) matches autodiff of the reference', async () => {
    const ids = () => tf.tensor1d([4, 0, 49, 7], 'int32');
    await expectSameGrads(
      () => [normal(2, [4, 50], 3)],
      (l) => logProbGather(l as tf.Tensor2D, ids()),
      (l) => logProbGatherReference(l as tf.Tensor2D, ids()),
      (s) => normal(3, s),
    );
  });

  it('rejects float ids', () => {
    tf.tidy(() => {
      expect(() => logProbGather(tf.zeros([2, 5]), tf.zeros([2]) as tf.Tensor1D)).toThrow(/ids must be int32/);
    });
  });
});
