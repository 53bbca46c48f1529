import { at, defined, mulberry32 } from '@magic/core';
/** A seeded uniform [0, 1) generator (mulberry32): same seed, same CIs. */
export type Rng = () => number;

// mulberry32 lives in @magic/core; re-exported because it is part of this package's API.
export { mulberry32 };

export interface BootstrapOptions {
  /** Resamples; 1000 unless given. */
  samples?: number;
  /** Seed of mulberry32; 0 unless given. Ignored when `rng` is given. */
  seed?: number;
  /** Two-sided level; 0.95 unless given. */
  confidence?: number;
  /** Inject a generator (tests). */
  rng?: Rng;
}

export interface ConfidenceInterval {
  lower: number;
  upper: number;
  confidence: number;
}

/** Mean of one resample drawn with replacement, indices floor(rng() * n). */
function resampleMean(values: readonly number[], rng: Rng): number {
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) sum += at(values, Math.floor(rng() * values.length), 'values');
  return sum / values.length;
}

/**
 * Percentile bootstrap CI of the mean. The B resample means are sorted ascending; lower is the
 * element at index floor(alpha/2 * B), upper at index ceil((1 - alpha/2) * B) - 1 (alpha = 1 - confidence).
 * An empty input gives [NaN, NaN].
 */
export function bootstrapCi(values: readonly number[], options: BootstrapOptions = {}): ConfidenceInterval {
  const confidence = options.confidence ?? 0.95;
  if (values.length === 0) return { lower: Number.NaN, upper: Number.NaN, confidence };
  const samples = options.samples ?? 1000;
  const rng = options.rng ?? mulberry32(options.seed ?? 0);
  const means = Array.from({ length: samples }, () => resampleMean(values, rng)).sort((a, b) => a - b);
  const alpha = 1 - confidence;
  const lowerIndex = Math.min(samples - 1, Math.floor((alpha / 2) * samples));
  const upperIndex = Math.max(0, Math.ceil((1 - alpha / 2) * samples) - 1);
  return {
    lower: defined(means[lowerIndex], 'means entry'),
    upper: defined(means[upperIndex], 'means entry'),
    confidence,
  };
}
