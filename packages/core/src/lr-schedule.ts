/** Learning-rate schedule: linear warm-up, then constant, cosine or linear decay. */
export interface LrSchedule {
  /** Peak learning rate. Default 1, so the result is the multiplier of the peak. */
  lr?: number;
  /** Shape after the warm-up. */
  scheduler: 'constant' | 'cosine' | 'linear';
  /** Warm-up length in optimizer steps (0: none). */
  warmupSteps: number;
  /** Length of the whole schedule in optimizer steps; the decay ends there. Needed by 'cosine' and 'linear'. */
  totalSteps?: number;
  /** The decay's floor as a fraction of `lr`. Default 0. */
  minLrRatio?: number;
  /** Cosine periods over the decay (verl's `num_cycles`). Default 0.5: one half-period, from `lr` to the floor. */
  numCycles?: number;
  /**
   * Warm-up formula. 'from-zero' (transformers, verl): `lr·step/warmup`, so step 0 trains with LR 0.
   * 'from-first-step': `lr·(step+1)/(warmup+1)`, so the first step already moves the weights. Default 'from-zero'.
   */
  warmup?: 'from-zero' | 'from-first-step';
  /**
   * Where the decay reaches its floor. 'after-last-step' (transformers): at step `totalSteps`, one past the last.
   * 'at-last-step': at step `totalSteps − 1`, so the last step trains at the floor. Default 'after-last-step'.
   */
  decayEnd?: 'after-last-step' | 'at-last-step';
}

/**
 * Learning rate at optimizer step `step` (0-based). With the defaults it is transformers'
 * `get_{constant,cosine,linear}_schedule_with_warmup` (cosine in verl's form with `minLrRatio` and `numCycles`).
 */
export function scheduledLearningRate(step: number, s: LrSchedule): number {
  const lr = s.lr ?? 1;
  const warm = s.warmupSteps;
  if (step < warm) {
    // each keeps its origin's rounding bit for bit: verl's product first, phase 1's factor first (lr·factor)
    return s.warmup === 'from-first-step' ? lr * ((step + 1) / (warm + 1)) : (lr * step) / Math.max(1, warm);
  }
  if (s.scheduler === 'constant') return lr;
  const total = s.totalSteps ?? 1;
  const span = s.decayEnd === 'at-last-step' ? total - warm - 1 : Math.max(1, total - warm);
  const progress = span <= 0 ? 0 : Math.min(1, (step - warm) / span);
  const min = s.minLrRatio ?? 0;
  if (s.scheduler === 'linear') return lr * Math.max(0, min + (1 - min) * (1 - progress));
  const x = Math.cos(Math.PI * (s.numCycles ?? 0.5) * 2 * progress);
  return lr * Math.max(0, x * ((1 - min) * 0.5) + (1 + min) * 0.5);
}
