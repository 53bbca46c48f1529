import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  broadcastToTokens,
  computeGrpoOutcomeAdvantage,
  computeRlooOutcomeAdvantage,
  fracRewardZeroStd,
  groupByUid,
  groupMeanStd,
} from './advantages.js';
import { broadcastToTokensTensor, computeGrpoOutcomeAdvantageTensor } from './advantages-tensor.js';
import { GrpoInputError } from './errors.js';
import { mulberry32 } from './toy.js';

// Group a = rewards {1, 0, 0, 1}, group b = singleton {2}, group c = all-equal {3, 3}, interleaved.
const UIDS = ['a', 'b', 'a', 'c', 'a', 'c', 'a'];
const REWARDS = [1, 2, 0, 3, 0, 3, 1];
const EPS = 1e-6;

describe('computeGrpoOutcomeAdvantage (golden)', () => {
  it('normalises by the unbiased group std; singleton → mean 0 std 1; all-equal → 0', () => {
    const { advantages, numGroups, fracRewardZeroStd: frac } = computeGrpoOutcomeAdvantage(REWARDS, UIDS);
    // group a: mean 0.5, unbiased var = 4·0.25/3 = 1/3, A = ±0.5/(√(1/3) + 1e-6)
    const a = 0.5 / (Math.sqrt(1 / 3) + EPS);
    // group b: singleton, A = (2 − 0)/(1 + 1e-6); group c: all equal → 0
    const expected = [a, 2 / (1 + EPS), -a, 0, -a, 0, a];
    advantages.forEach((v, i) => {
      expect(v).toBeCloseTo(at(expected, i, 'expected'), 10);
    });
    expect(advantages[3]).toBe(0);
    expect(numGroups).toBe(3);
    expect(frac).toBeCloseTo(1 / 3, 12); // only c (size ≥ 2, all equal) out of 3 groups
  });

  it('all-equal non-representable rewards give exactly 0, not a rounding residue', () => {
    expect(computeGrpoOutcomeAdvantage([0.1, 0.1, 0.1], ['u', 'u', 'u']).advantages).toEqual([0, 0, 0]);
  });

  it('normByStd false (Dr. GRPO) and scaleRewards none only centre', () => {
    // a: ±0.5, b: 2 − 0, c: 0
    const expected = [0.5, 2, -0.5, 0, -0.5, 0, 0.5];
    expect(computeGrpoOutcomeAdvantage(REWARDS, UIDS, { normByStd: false }).advantages).toEqual(expected);
    expect(computeGrpoOutcomeAdvantage(REWARDS, UIDS, { scaleRewards: 'none' }).advantages).toEqual(expected);
  });

  it("scaleRewards 'batch' divides by the unbiased std of all rewards", () => {
    // mean = 10/7; Σ(r − mean)² = Σr² − 7·mean² = 24 − 100/7 = 68/7; var = 68/42
    const batchStd = Math.sqrt(68 / 42);
    const { advantages } = computeGrpoOutcomeAdvantage(REWARDS, UIDS, { scaleRewards: 'batch' });
    expect(advantages[0]).toBeCloseTo(0.5 / (batchStd + EPS), 10);
    expect(advantages[1]).toBeCloseTo(2 / (batchStd + EPS), 10);
    expect(advantages[3]).toBe(0);
  });

  it('uses the given epsilon', () => {
    const { advantages } = computeGrpoOutcomeAdvantage([1, 0], ['g', 'g'], { epsilon: 0.5 });
    // mean 0.5, std = √(0.5) ; A = 0.5/(√0.5 + 0.5)
    expect(advantages[0]).toBeCloseTo(0.5 / (Math.SQRT1_2 + 0.5), 12);
  });

  it('rejects non-finite rewards and length mismatches with a typed error naming the field', () => {
    expect(() => computeGrpoOutcomeAdvantage([1, Number.NaN], ['a', 'a'])).toThrow(GrpoInputError);
    let caught: unknown;
    try {
      computeGrpoOutcomeAdvantage([1, Number.POSITIVE_INFINITY], ['a', 'a']);
    } catch (e) {
      caught = e;
    }
    expect(GrpoInputError.isInstance(caught)).toBe(true);
    expect((caught as GrpoInputError).field).toBe('rewards');
    expect((caught as GrpoInputError).index).toBe(1);
    expect((caught as GrpoInputError).code).toBe('GRPO_INPUT');
    expect(() => computeGrpoOutcomeAdvantage([1], ['a', 'b'])).toThrow(/rewards/);
  });

  it('groupMeanStd pins the conventions', () => {
    expect(groupMeanStd([4])).toEqual({ mean: 0, std: 1 });
    const { mean, std } = groupMeanStd([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(std).toBeCloseTo(Math.sqrt(5 / 3), 12); // Σ(dev²) = 5, N − 1 = 3
  });
});

describe('computeRlooOutcomeAdvantage (golden)', () => {
  it('subtracts the mean of the other group members; singleton keeps r', () => {
    const { advantages } = computeRlooOutcomeAdvantage(REWARDS, UIDS);
    // a, r = 1: 1 − mean(0, 0, 1) = 2/3 ; r = 0: 0 − mean(1, 0, 1) = −2/3 ; b: 2 ; c: 3 − 3 = 0
    const expected = [2 / 3, 2, -2 / 3, 0, -2 / 3, 0, 2 / 3];
    advantages.forEach((v, i) => {
      expect(v).toBeCloseTo(at(expected, i, 'expected'), 12);
    });
  });
});

describe('broadcast and fracRewardZeroStd', () => {
  it('puts each advantage on its response tokens only', () => {
    expect(
      broadcastToTokens(
        [2, -1],
        [
          [0, 1, 1],
          [0, 0, 1],
        ],
      ),
    ).toEqual([
      [0, 2, 2],
      [0, 0, -1],
    ]);
    const t = broadcastToTokensTensor(tf.tensor1d([2, -1]), tf.tensor2d([0, 1, 1, 0, 0, 1], [2, 3]));
    expect(Array.from(t.dataSync())).toEqual([0, 2, 2, -0, -0, -1]);
    t.dispose();
  });

  it('counts groups of size ≥ 2 with equal rewards', () => {
    expect(fracRewardZeroStd([1, 1, 0, 1, 5], ['a', 'a', 'b', 'b', 'c'])).toBeCloseTo(1 / 3, 12);
    expect(fracRewardZeroStd([], [])).toBe(0);
  });

  it('numbers groups by first appearance', () => {
    expect(groupByUid(['x', 'y', 'x']).groupIndex).toEqual([0, 1, 0]);
  });
});

describe('loop vs vectorised GRPO advantage', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    for (const scaleRewards of ['group', 'batch', 'none'] as const) {
      it(`agrees on seeded random groups (seed ${seed}, ${scaleRewards})`, () => {
        const rng = mulberry32(seed);
        const uids: string[] = [];
        const rewards: number[] = [];
        const numGroups = 3 + Math.floor(rng() * 6);
        for (let g = 0; g < numGroups; g++) {
          const size = 1 + Math.floor(rng() * 5); // includes singletons
          const allEqual = rng() < 0.3;
          const base = Math.floor(rng() * 4) / 2;
          for (let i = 0; i < size; i++) {
            uids.push(`g${g}`);
            rewards.push(allEqual ? base : Math.round(rng() * 8) / 4 - 1);
          }
        }
        // shuffle so groups interleave
        const order = uids.map((_, i) => i).sort(() => rng() - 0.5);
        const u = order.map((i) => at(uids, i, 'uids'));
        const r = order.map((i) => at(rewards, i, 'rewards'));
        const loop = computeGrpoOutcomeAdvantage(r, u, { scaleRewards });
        const before = tf.memory().numTensors;
        const rewardsT = tf.tensor1d(r);
        const groupT = tf.tensor1d(loop.groupIndex, 'int32');
        const vec = computeGrpoOutcomeAdvantageTensor({
          rewards: rewardsT,
          groupIndex: groupT,
          numGroups: loop.numGroups,
          scaleRewards,
        });
        const got = Array.from(vec.dataSync());
        tf.dispose([rewardsT, groupT, vec]);
        expect(tf.memory().numTensors).toBe(before);
        got.forEach((v, i) => {
          const want = at(loop.advantages, i, 'loop.advantages');
          expect(Math.abs(v - want)).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(want));
        });
      });
    }
  }
});
