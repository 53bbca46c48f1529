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
 */
export function learningRateAt(step: number, o: LrScheduleOptions): number {
  if (step < o.lrWarmupSteps) return (o.lr * step) / Math.max(1, o.lrWarmupSteps);
  if (o.lrScheduler === 'constant') return o.lr;
  const total = o.totalTrainingSteps ?? 1;
  const progress = Math.min(1, (step - o.lrWarmupSteps) / Math.max(1, total - o.lrWarmupSteps));
  const x = Math.cos(Math.PI * o.numCycles * 2 * progress);
  const coef = (1 - o.minLrRatio) * 0.5;
  const intercept = (1 + o.minLrRatio) * 0.5;
  return o.lr * Math.max(0, x * coef + intercept);
}
