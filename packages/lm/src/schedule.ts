import { scheduledLearningRate } from '@magic/core';

/**
 * Learning-rate multiplier at optimizer step `step` (0-based), like transformers' get_*_schedule_with_warmup:
 * `@magic/core`'s `scheduledLearningRate` with lr 1 (warm-up `step/warmup`, cosine to `minLrRatio` at `totalSteps`).
 */
export function lrMultiplier(
  kind: 'cosine' | 'constant',
  step: number,
  warmupSteps: number,
  totalSteps: number,
  minLrRatio = 0,
): number {
  return scheduledLearningRate(step, { scheduler: kind, warmupSteps, totalSteps, minLrRatio });
}
