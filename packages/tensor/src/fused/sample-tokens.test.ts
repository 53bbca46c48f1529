import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend.js';
import { sampleTokens } from './sample-tokens.js';
import { computeOn } from './test-helpers.js';

beforeAll(() => initBackend({ device: 'cpu' }));

// p = [0.1, 0.2, 0.3, 0.4]: the inverse CDF picks the first id whose cumulative probability reaches u.
const probs = [0.1, 0.2, 0.3, 0.4];

describe('sampleTokens (cpu reference)', () => {
  it('inverse CDF at temperature 1, argmax at 0, temperature-1 log-probs', async () => {
    const us = [0.05, 0.15, 0.31, 0.61, 0.999];
    const [ids, lp, greedy] = await computeOn('cpu', () => {
      const logits = tf.log(tf.tensor2d(us.map(() => probs))) as tf.Tensor2D;
      const s = sampleTokens(logits, { temperature: 1, uniforms: tf.tensor1d(us) });
      return [s.ids, s.logprobs, sampleTokens(logits, { temperature: 0 }).ids];
    });
    expect(Array.from(defined(ids, 'ids'))).toEqual([0, 1, 2, 3, 3]);
    expect(Array.from(defined(greedy, 'greedy'))).toEqual([3, 3, 3, 3, 3]);
    Array.from(defined(ids, 'ids')).forEach((id, i) => {
      expect(defined(lp, 'lp')[i]).toBeCloseTo(Math.log(defined(probs[id], 'probs')), 5);
    });
  });

  it('temperature sharpens the distribution', async () => {
    // at T = 0.5, weights are p^2 = [.01,.04,.09,.16]/.30: u = 0.3 falls in id 2 (cum .1667 .. .4667)
    const [ids] = await computeOn('cpu', () => {
      const logits = tf.log(tf.tensor2d([probs])) as tf.Tensor2D;
      return [sampleTokens(logits, { temperature: 0.5, uniforms: tf.tensor1d([0.3]) }).ids];
    });
    expect(Array.from(defined(ids, 'ids'))).toEqual([2]);
  });

  it('needs uniforms or a seed when sampling', () => {
    tf.tidy(() => {
      expect(() => sampleTokens(tf.zeros([1, 4]) as tf.Tensor2D, { temperature: 1 })).toThrow(
        /uniforms \[B\] or a seed/,
      );
    });
  });
});
