import { scheduledLearningRate } from '@magic/core';

/** Learning-rate schedule settings (subset of GrpoConfig). */
export interface LrScheduleOptions {
  lr: number;
  lrScheduler: 'constant' | 'cosine';
  lrWarmupSteps: number;
  totalTrainingSteps?: number;
  minLrRatio: number;
  numCycles: number;
}

/**
 * Learning rate at scheduler step `step` (0-based), as verl/transformers: linear warmup
 * `lr·step/warmup`, then constant or cosine `lr·max(0, ((1+min)/2) + ((1−min)/2)·cos(2π·cycles·progress))`.
 * `@magic/core`'s `scheduledLearningRate` with GrpoConfig's field names.
 */
export function learningRateAt(step: number, o: LrScheduleOptions): number {
  return scheduledLearningRate(step, {
    lr: o.lr,
    scheduler: o.lrScheduler,
    warmupSteps: o.lrWarmupSteps,
    ...(o.totalTrainingSteps === undefined ? {} : { totalSteps: o.totalTrainingSteps }),
    minLrRatio: o.minLrRatio,
    numCycles: o.numCycles,
  });
}
