import { describe, expect, it } from 'vitest';
import { scheduledLearningRate } from './lr-schedule.js';

describe('scheduledLearningRate', () => {
  it("'from-zero' warm-up is lr·step/warmup (transformers, verl), then constant", () => {
    const s = { lr: 0.5, scheduler: 'constant' as const, warmupSteps: 4 };
    expect([0, 1, 2, 3, 4, 100].map((i) => scheduledLearningRate(i, s))).toEqual([0, 0.125, 0.25, 0.375, 0.5, 0.5]);
  });

  it("'from-first-step' warm-up is lr·(step+1)/(warmup+1): the first step already trains", () => {
    const s = { scheduler: 'constant' as const, warmupSteps: 2, warmup: 'from-first-step' as const };
    expect(scheduledLearningRate(0, s)).toBeCloseTo(1 / 3, 15);
    expect(scheduledLearningRate(1, s)).toBeCloseTo(2 / 3, 15);
    expect(scheduledLearningRate(2, s)).toBe(1);
  });

  it('cosine decays from lr to the floor at totalSteps, half a period by default', () => {
    const s = { scheduler: 'cosine' as const, warmupSteps: 2, totalSteps: 10 };
    expect(scheduledLearningRate(2, s)).toBe(1);
    expect(scheduledLearningRate(6, s)).toBeCloseTo(0.5, 12);
    expect(scheduledLearningRate(10, s)).toBeCloseTo(0, 12);
    expect(scheduledLearningRate(50, s)).toBeCloseTo(0, 12); // clamped past the end
    const floored = { ...s, lr: 2, minLrRatio: 0.1 };
    expect(scheduledLearningRate(10, floored)).toBeCloseTo(0.2, 12);
    expect(scheduledLearningRate(6, floored)).toBeCloseTo(2 * 0.55, 12);
  });

  it('numCycles 1 goes down and back up (verl num_cycles)', () => {
    const s = { scheduler: 'cosine' as const, warmupSteps: 0, totalSteps: 8, numCycles: 1 };
    expect(scheduledLearningRate(4, s)).toBeCloseTo(0, 12);
    expect(scheduledLearningRate(8, s)).toBeCloseTo(1, 12);
  });

  it("'at-last-step' reaches the floor on the last step; linear decays in a straight line", () => {
    const cos = { scheduler: 'cosine' as const, warmupSteps: 0, totalSteps: 5, decayEnd: 'at-last-step' as const };
    expect(scheduledLearningRate(0, cos)).toBe(1);
    expect(scheduledLearningRate(4, cos)).toBeCloseTo(0, 12);
    const lin = { ...cos, scheduler: 'linear' as const };
    expect([0, 1, 2, 3, 4].map((i) => scheduledLearningRate(i, lin))).toEqual([1, 0.75, 0.5, 0.25, 0]);
    const linAfter = { scheduler: 'linear' as const, warmupSteps: 0, totalSteps: 4 };
    expect([0, 2, 4].map((i) => scheduledLearningRate(i, linAfter))).toEqual([1, 0.5, 0]);
  });

  it('a one-step decay does not divide by zero', () => {
    const s = { scheduler: 'cosine' as const, warmupSteps: 2, totalSteps: 3, decayEnd: 'at-last-step' as const };
    expect(scheduledLearningRate(2, s)).toBe(1);
    expect(scheduledLearningRate(0, { scheduler: 'cosine', warmupSteps: 0 })).toBe(1);
  });
});

// The three schedules this one replaced, verbatim, so their callers' defaults stay bit-for-bit the same.
const verlGrpo = (
  step: number,
  lr: number,
  kind: 'constant' | 'cosine',
  warm: number,
  total: number,
  min: number,
  cycles: number,
) => {
  if (step < warm) return (lr * step) / Math.max(1, warm);
  if (kind === 'constant') return lr;
  const progress = Math.min(1, (step - warm) / Math.max(1, total - warm));
  const x = Math.cos(Math.PI * cycles * 2 * progress);
  return lr * Math.max(0, x * ((1 - min) * 0.5) + (1 + min) * 0.5);
};
const lmMultiplier = (kind: 'cosine' | 'constant', step: number, warm: number, total: number) => {
  if (step < warm) return step / Math.max(1, warm);
  if (kind === 'constant') return 1;
  const progress = Math.min(1, (step - warm) / Math.max(1, total - warm));
  return 0 + (1 - 0) * 0.5 * (1 + Math.cos(Math.PI * progress));
};
const phase1Factor = (i: number, total: number, ratio: number, kind: 'cosine' | 'linear' | 'constant') => {
  const warm = Math.floor(total * ratio);
  if (i < warm) return (i + 1) / (warm + 1);
  const p = total - warm <= 1 ? 0 : (i - warm) / (total - warm - 1);
  if (kind === 'cosine') return 0.5 * (1 + Math.cos(Math.PI * p));
  if (kind === 'linear') return 1 - p;
  return 1;
};

describe('the replaced schedules, bit for bit', () => {
  it("GRPO's (verl) with its field values", () => {
    for (const [kind, warm, total, min, cycles] of [
      ['cosine', 3, 40, 0.1, 0.5],
      ['cosine', 0, 17, 0, 1],
      ['constant', 5, 10, 0, 0.5],
    ] as const) {
      for (let step = 0; step < total + 3; step++) {
        const lr = 1e-6 * 3;
        const got = scheduledLearningRate(step, {
          lr,
          scheduler: kind,
          warmupSteps: warm,
          totalSteps: total,
          minLrRatio: min,
          numCycles: cycles,
        });
        expect(got).toBe(verlGrpo(step, lr, kind, warm, total, min, cycles));
      }
    }
  });

  it("@magic/lm's multiplier (minLrRatio 0)", () => {
    for (const kind of ['cosine', 'constant'] as const) {
      for (let step = 0; step < 25; step++) {
        const got = scheduledLearningRate(step, { scheduler: kind, warmupSteps: 4, totalSteps: 21 });
        expect(got).toBe(lmMultiplier(kind, step, 4, 21));
      }
    }
  });

  it("phase 1's factor with 'from-first-step' and 'at-last-step'", () => {
    for (const kind of ['cosine', 'linear', 'constant'] as const) {
      for (const [total, ratio] of [
        [10, 0.2],
        [37, 0.1],
        [2, 0.5],
        [1, 0],
      ] as const) {
        for (let i = 0; i < total; i++) {
          const got = scheduledLearningRate(i, {
            scheduler: kind,
            warmupSteps: Math.floor(total * ratio),
            totalSteps: total,
            warmup: 'from-first-step',
            decayEnd: 'at-last-step',
          });
          expect(got, `${kind} ${total} ${ratio} ${i}`).toBe(phase1Factor(i, total, ratio, kind));
        }
      }
    }
  });

  it("phase 1's learning rate `lr·factor` (the factor first, then times lr) for lr ≠ 1", () => {
    // e.g. lr 0.005, warm-up 2, step 0: lr·(1/3) and (lr·1)/3 differ in the last bit
    for (const lr of [0.005, 3e-5, 1e-2]) {
      for (const [total, ratio] of [
        [10, 0.2],
        [12, 0.5],
      ] as const) {
        for (let i = 0; i < total; i++) {
          const got = scheduledLearningRate(i, {
            lr,
            scheduler: 'cosine',
            warmupSteps: Math.floor(total * ratio),
            totalSteps: total,
            warmup: 'from-first-step',
            decayEnd: 'at-last-step',
          });
          expect(got, `${lr} ${total} ${ratio} ${i}`).toBe(lr * phase1Factor(i, total, ratio, 'cosine'));
        }
      }
    }
  });
});
