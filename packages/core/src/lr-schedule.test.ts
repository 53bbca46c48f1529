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
