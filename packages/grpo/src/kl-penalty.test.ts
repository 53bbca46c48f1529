import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type KlPenaltyType, klPenalty } from './kl-penalty.js';

function kl(logp: number[], ref: number[], type: KlPenaltyType): number[] {
  const a = tf.tensor2d([logp]);
  const b = tf.tensor2d([ref]);
  const out = klPenalty(a, b, type);
  const values = Array.from(out.dataSync());
  tf.dispose([a, b, out]);
  return values;
}

describe('klPenalty (golden)', () => {
  // logπ = [−1, −2], logπ_ref = [−1.5, −1]  ⇒  logπ − logπ_ref = [0.5, −1]
  const logp = [-1, -2];
  const ref = [-1.5, -1];

  it('k1 / kl = logπ − logπ_ref', () => {
    for (const t of ['k1', 'kl'] as const) expect(kl(logp, ref, t)).toEqual([0.5, -1]);
  });

  it('abs = |logπ − logπ_ref|', () => {
    expect(kl(logp, ref, 'abs')).toEqual([0.5, 1]);
  });

  it('k2 / mse = ½ (logπ − logπ_ref)²', () => {
    for (const t of ['k2', 'mse'] as const) expect(kl(logp, ref, t)).toEqual([0.125, 0.5]);
  });

  it('k3 / low_var_kl = e^d − d − 1 with d = logπ_ref − logπ', () => {
    // d = [−0.5, 1]: e^−0.5 + 0.5 − 1 = 0.1065306597 ; e − 1 − 1 = 0.7182818285
    for (const t of ['k3', 'low_var_kl'] as const) {
      const [x, y] = kl(logp, ref, t);
      expect(x).toBeCloseTo(Math.exp(-0.5) - 0.5, 6);
      expect(y).toBeCloseTo(Math.E - 2, 6);
    }
  });

  it('k3 is clamped to [−10, 10] (and d to ±20)', () => {
    // d = 5: e^5 − 6 = 142.4 → 10 ; d = −30 → −20: e^−20 + 19 ≈ 19 → 10 ; d = 0 → 0
    expect(kl([0, 0, 0], [5, -30, 0], 'low_var_kl')).toEqual([10, 10, 0]);
  });

  it('k3 gradient w.r.t. logπ is 1 − e^d (zero where clamped)', () => {
    const ref = tf.tensor2d([[-1.5, 5]]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(klPenalty(x as tf.Tensor2D, ref, 'k3')))(tf.tensor2d([[-1, 0]]));
    const [g0, g1] = Array.from(g.dataSync());
    expect(g0).toBeCloseTo(1 - Math.exp(-0.5), 5);
    expect(Math.abs(defined(g1, 'g1'))).toBe(0);
    tf.dispose([ref, g]);
  });
});
