import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { aggregateLoss, LOSS_AGG_MODES, type LossAggMode } from './aggregate-loss.js';

const N = Number.NaN;
// Row 0: 3 tokens (a NaN sits at a masked-out slot), row 1: 2 tokens, row 2: no tokens (values ignored).
const LOSS = [
  [1, 2, 3, N],
  [4, 5, N, N],
  [7, 8, 9, 10],
];
const MASK = [
  [1, 1, 1, 0],
  [1, 1, 0, 0],
  [0, 0, 0, 0],
];
const TURNS = [
  [0, 0, 1, -100],
  [0, 1, -100, -100],
  [-100, -100, -100, -100],
];

function agg(mode: LossAggMode, loss = LOSS, mask = MASK, turns = TURNS): number {
  const l = tf.tensor2d(loss);
  const m = tf.tensor2d(mask);
  const t = tf.tensor2d(turns, undefined, 'int32');
  const before = tf.memory().numTensors;
  const out = aggregateLoss(l, m, mode, { turnIds: t });
  const v = at(out.dataSync(), 0, 'out.dataSync()');
  out.dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([l, m, t]);
  return v;
}

describe('aggregateLoss (golden)', () => {
  it('token-mean = Σ masked / #tokens', () => {
    expect(agg('token-mean')).toBeCloseTo((1 + 2 + 3 + 4 + 5) / 5, 6); // 3
  });
  it('seq-mean-token-sum = mean of row sums over rows with tokens', () => {
    expect(agg('seq-mean-token-sum')).toBeCloseTo((6 + 9) / 2, 6); // 7.5 (empty row 2 left out)
  });
  it('seq-mean-token-mean and trajectory = mean of row means', () => {
    expect(agg('seq-mean-token-mean')).toBeCloseTo((2 + 4.5) / 2, 6); // 3.25
    expect(agg('trajectory')).toBeCloseTo(3.25, 6);
  });
  it('seq-mean-token-sum-norm = Σ row sums / T (verl Dr. GRPO)', () => {
    expect(agg('seq-mean-token-sum-norm')).toBeCloseTo((6 + 9) / 4, 6); // 3.75
  });
  it('turn = mean over (sequence, turn) of the turn token-mean', () => {
    // (0,0): mean(1,2) = 1.5 ; (0,1): 3 ; (1,0): 4 ; (1,1): 5  → 13.5 / 4
    expect(agg('turn')).toBeCloseTo(13.5 / 4, 6);
  });
  it('an all-zero mask gives 0 in every mode, even with NaN everywhere', () => {
    const nan = [
      [N, N],
      [N, N],
    ];
    const zero = [
      [0, 0],
      [0, 0],
    ];
    for (const mode of LOSS_AGG_MODES) expect(agg(mode, nan, zero, zero)).toBe(0);
  });
  it('NaN under the mask propagates (it is a real loss value)', () => {
    expect(Number.isNaN(agg('token-mean', [[N, 1]], [[1, 1]], [[0, 0]]))).toBe(true);
  });
  it("'turn' without turnIds throws", () => {
    const l = tf.tensor2d([[1]]);
    expect(() => aggregateLoss(l, l, 'turn')).toThrow(/turnIds/);
    l.dispose();
  });
  it('gradients do not pick up NaN from masked-out slots', () => {
    const m = tf.tensor2d(MASK);
    const g = tf.grad((x: tf.Tensor) => aggregateLoss(x as tf.Tensor2D, m, 'token-mean'))(tf.tensor2d(LOSS));
    const values = Array.from(g.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.slice(0, 4)).toEqual([0.2, 0.2, 0.2, 0].map((v) => Math.fround(v)));
    tf.dispose([m, g]);
  });
});
