import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { LossAggMode } from './aggregate-loss.js';
import { klPenalty } from './kl-penalty.js';
import { computePolicyLoss, type PolicyLossOptions } from './policy-loss.js';
import { mulberry32 } from './toy.js';

interface Case {
  logProbs: number[][];
  oldLogProbs: number[][];
  advantages: number[][];
  mask: number[][];
  turnIds?: number[][];
}

function run(c: Case, options: PolicyLossOptions = {}) {
  const t = {
    logProbs: tf.tensor2d(c.logProbs),
    oldLogProbs: tf.tensor2d(c.oldLogProbs),
    advantages: tf.tensor2d(c.advantages),
    responseMask: tf.tensor2d(c.mask),
    turnIds: c.turnIds ? tf.tensor2d(c.turnIds, undefined, 'int32') : undefined,
  };
  const before = tf.memory().numTensors;
  const out = computePolicyLoss(t, options);
  const read = (x: tf.Tensor) => at(x.dataSync(), 0, 'x.dataSync()');
  const result = {
    pgLoss: read(out.pgLoss),
    pgClipfrac: read(out.pgClipfrac),
    ppoKl: read(out.ppoKl),
    pgClipfracLower: read(out.pgClipfracLower),
    pgLosses: Array.from(out.pgLosses.dataSync()),
  };
  tf.dispose([out.pgLoss, out.pgClipfrac, out.ppoKl, out.pgClipfracLower, out.pgLosses]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose(Object.values(t).filter((x): x is tf.Tensor2D => x !== undefined));
  return result;
}

// Four tokens (+ one masked-out slot holding NaN):
//  t0: A = 1,  ρ = 1.5            L1 = −1.5, L2 = −1.2          → max = −1.2   (clipped)
//  t1: A = −1, ρ = 0.5            L1 = 0.5,  L2 = 0.8           → 0.8          (clipped)
//  t2: A = −1, ρ = 5              L1 = 5,    L2 = 1.2 → 5, dual clip min(5, 3) = 3  (lower clip)
//  t3: A = 2,  log-ratio 4 → 3,   ρ = e³: L1 = −2e³, L2 = −2.4 → −2.4   (clipped)
const OLD = 0;
const GOLDEN: Case = {
  logProbs: [[Math.log(1.5), Math.log(0.5), Math.log(5), 4, Number.NaN]],
  oldLogProbs: [[OLD, OLD, OLD, OLD, OLD]],
  advantages: [[1, -1, -1, 2, 7]],
  mask: [[1, 1, 1, 1, 0]],
};

describe('computePolicyLoss (golden)', () => {
  it('PPO clip + dual clip + log-ratio clamp, token-mean, with verl metrics', () => {
    const r = run(GOLDEN);
    expect(r.pgLosses[0]).toBeCloseTo(-1.2, 5);
    expect(r.pgLosses[1]).toBeCloseTo(0.8, 5);
    expect(r.pgLosses[2]).toBeCloseTo(3, 5);
    expect(r.pgLosses[3]).toBeCloseTo(-2.4, 5);
    expect(r.pgLosses[4]).toBe(0);
    expect(r.pgLoss).toBeCloseTo((-1.2 + 0.8 + 3 - 2.4) / 4, 5); // 0.05
    expect(r.pgClipfrac).toBeCloseTo(3 / 4, 6); // t0, t1, t3 took the clipped branch
    expect(r.pgClipfracLower).toBeCloseTo(1 / 4, 6); // t2
    expect(r.ppoKl).toBeCloseTo(-(Math.log(1.5) + Math.log(0.5) + Math.log(5) + 3) / 4, 5);
  });

  it('clip-higher (clipRatioHigh 0.28) only moves the upper bound', () => {
    // t0: max(−1.5, −1.28) = −1.28 ; t1: 0.8 ; t2: min(max(5, 1.28), 3) = 3 ; t3: −2·1.28 = −2.56
    const r = run(GOLDEN, { clipRatioHigh: 0.28 });
    expect(r.pgLoss).toBeCloseTo((-1.28 + 0.8 + 3 - 2.56) / 4, 5);
  });

  it('clipRatioC sets the dual-clip bound and logRatioClip the clamp', () => {
    // clipRatioC 4: t2 = min(5, 4) = 4 ; logRatioClip 10: t3 ρ = e⁴, still clipped to −2.4
    const r = run(GOLDEN, { clipRatioC: 4, logRatioClip: 10 });
    expect(r.pgLosses[2]).toBeCloseTo(4, 5);
    expect(r.ppoKl).toBeCloseTo(-(Math.log(1.5) + Math.log(0.5) + Math.log(5) + 4) / 4, 5);
  });

  it("clipMode 'turn' takes the ratio from the turn-averaged log-ratio", () => {
    const c: Case = {
      logProbs: [[Math.log(2), 0, Math.log(0.9), Math.log(0.9)]],
      oldLogProbs: [[0, 0, 0, 0]],
      advantages: [[1, 1, 1, 1]],
      mask: [[1, 1, 1, 1]],
      turnIds: [[0, 0, 1, 1]],
    };
    // turn 0: mean log-ratio = ln2/2 → ρ = √2 for both tokens → clipped to 1.2: −1.2, −1.2
    // turn 1: ρ = 0.9 (inside the clip range) → −0.9, −0.9
    expect(run(c, { clipMode: 'turn' }).pgLoss).toBeCloseTo((-1.2 * 2 - 0.9 * 2) / 4, 5);
    // token mode: ρ = 2 → −1.2 ; ρ = 1 → −1 ; −0.9 ; −0.9
    expect(run(c).pgLoss).toBeCloseTo((-1.2 - 1 - 0.9 - 0.9) / 4, 5);
    expect(() => run({ ...c, turnIds: undefined }, { clipMode: 'turn' })).toThrow(/turnIds/);
  });

  it('an empty mask gives loss 0 and metrics 0', () => {
    const r = run({ ...GOLDEN, mask: [[0, 0, 0, 0, 0]] });
    expect([r.pgLoss, r.pgClipfrac, r.ppoKl, r.pgClipfracLower]).toEqual([0, 0, 0, 0]);
  });
});

// Plain-loop reference written from the formulas (one token at a time).
function referenceLoss(c: Case, o: Required<Pick<PolicyLossOptions, 'clipRatioHigh'>>, mode: LossAggMode) {
  const rowLosses: number[][] = [];
  c.logProbs.forEach((row, b) => {
    const losses: number[] = [];
    row.forEach((lp, t) => {
      if (!at(c.mask, b, 'c.mask')[t]) return;
      const a = at(at(c.advantages, b, 'c.advantages'), t, 'c.advantages[b]');
      const ratio = Math.exp(Math.min(lp - at(at(c.oldLogProbs, b, 'c.oldLogProbs'), t, 'c.oldLogProbs[b]'), 3));
      const l1 = -a * ratio;
      const l2 = -a * Math.min(Math.max(ratio, 0.8), 1 + o.clipRatioHigh);
      const l = Math.max(l1, l2);
      losses.push(a < 0 ? Math.min(l, -a * 3) : l);
    });
    rowLosses.push(losses);
  });
  const present = rowLosses.filter((r) => r.length > 0);
  const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
  if (mode === 'token-mean') return sum(rowLosses.flat()) / Math.max(1, rowLosses.flat().length);
  if (mode === 'seq-mean-token-sum') return sum(present.map(sum)) / Math.max(1, present.length);
  if (mode === 'seq-mean-token-mean') return sum(present.map((r) => sum(r) / r.length)) / Math.max(1, present.length);
  return sum(rowLosses.map(sum)) / at(c.logProbs, 0, 'c.logProbs').length;
}

function randomCase(seed: number, batch = 4, length = 6, kinkFree = false): Case {
  const rng = mulberry32(seed);
  // Log-ratios drawn away from the kinks (ln 0.8, ln 1.2, ln 3 and the clamp at 3) when kinkFree.
  const kinks = [Math.log(0.8), Math.log(1.2), Math.log(1.28), Math.log(3), 3];
  const logRatio = () => {
    for (;;) {
      const x = (rng() - 0.5) * 2.5;
      if (!kinkFree || kinks.every((k) => Math.abs(x - k) > 0.05)) return x;
    }
  };
  const old = Array.from({ length: batch }, () => Array.from({ length }, () => -rng() * 3));
  return {
    oldLogProbs: old,
    logProbs: old.map((row) => row.map((v) => v + logRatio())),
    advantages: Array.from({ length: batch }, () => {
      const a = (rng() - 0.5) * 4;
      return Array.from({ length }, () => a);
    }),
    mask: Array.from({ length: batch }, (_, b) =>
      Array.from({ length }, (_, t) => (b === 0 && t < 2 ? 0 : rng() < 0.8 ? 1 : 0)),
    ),
    turnIds: Array.from({ length: batch }, () => Array.from({ length }, (_, t) => (t < length / 2 ? 0 : 1))),
  };
}

describe('loop vs vectorised policy loss', () => {
  const modes: LossAggMode[] = ['token-mean', 'seq-mean-token-sum', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'];
  for (const seed of [11, 12, 13]) {
    for (const mode of modes) {
      for (const clipRatioHigh of [0.2, 0.28]) {
        it(`matches the per-token loop (seed ${seed}, ${mode}, high ${clipRatioHigh})`, () => {
          const c = randomCase(seed);
          const got = run(c, { lossAggMode: mode, clipRatioHigh }).pgLoss;
          const want = referenceLoss(c, { clipRatioHigh }, mode);
          expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(want));
        });
      }
    }
  }
});

describe('gradient check: d loss / d logπ against central finite differences', () => {
  const settings: { name: string; options: PolicyLossOptions; kl?: boolean }[] = [
    { name: 'token-mean', options: {} },
    { name: 'seq-mean-token-mean', options: { lossAggMode: 'seq-mean-token-mean' } },
    {
      name: 'seq-mean-token-sum-norm + clip-higher',
      options: { lossAggMode: 'seq-mean-token-sum-norm', clipRatioHigh: 0.28 },
    },
    { name: 'turn aggregation', options: { lossAggMode: 'turn' } },
    { name: 'token-mean + k3 KL', options: {}, kl: true },
  ];
  for (const s of settings) {
    it(s.name, () => {
      const c = randomCase(21, 3, 5, true);
      const old = tf.tensor2d(c.oldLogProbs);
      const adv = tf.tensor2d(c.advantages);
      const mask = tf.tensor2d(c.mask);
      const turns = tf.tensor2d(defined(c.turnIds, 'c.turnIds'), undefined, 'int32');
      const ref = tf.tensor2d(c.oldLogProbs.map((row) => row.map((v) => v - 0.3)));
      const f = (lp: tf.Tensor2D) =>
        tf.tidy(() => {
          const pl = computePolicyLoss(
            { logProbs: lp, oldLogProbs: old, advantages: adv, responseMask: mask, turnIds: turns },
            s.options,
          );
          if (!s.kl) return pl.pgLoss;
          const mode = s.options.lossAggMode ?? 'token-mean';
          const klv = tf.div(tf.sum(tf.mul(klPenalty(lp, ref, 'k3'), mask)), tf.sum(mask));
          return mode === 'token-mean' ? (tf.add(pl.pgLoss, tf.mul(klv, 0.5)) as tf.Scalar) : pl.pgLoss;
        });
      const x = tf.tensor2d(c.logProbs);
      const g = tf.grad((lp: tf.Tensor) => f(lp as tf.Tensor2D))(x);
      const analytic = Array.from(g.dataSync());
      const base = c.logProbs.flat();
      const h = 1e-2;
      const numeric = base.map((_, i) => {
        const lossAt = (delta: number) => {
          const v = base.map((x, j) => (j === i ? x + delta : x));
          const t = tf.tensor2d(v, x.shape);
          const out = f(t);
          const value = at(out.dataSync(), 0, 'out.dataSync()');
          tf.dispose([t, out]);
          return value;
        };
        return (lossAt(h) - lossAt(-h)) / (2 * h);
      });
      numeric.forEach((n, i) => {
        expect(Math.abs(n - at(analytic, i, 'analytic'))).toBeLessThanOrEqual(2e-3 + 2e-2 * Math.abs(n));
      });
      expect(analytic.some((v) => Math.abs(v) > 1e-3)).toBe(true);
      tf.dispose([old, adv, mask, turns, ref, x, g]);
    });
  }
});
