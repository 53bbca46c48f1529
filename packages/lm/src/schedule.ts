/** Learning-rate multiplier at optimizer step `step` (0-based), like transformers' get_*_schedule_with_warmup. */
export function lrMultiplier(
  kind: 'cosine' | 'constant',
  step: number,
  warmupSteps: number,
  totalSteps: number,
  minLrRatio = 0,
): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  if (kind === 'constant') return 1;
  const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  return minLrRatio + (1 - minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
