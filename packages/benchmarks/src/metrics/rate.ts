import { type BootstrapOptions, bootstrapCi, type ConfidenceInterval } from './bootstrap.js';

/** A proportion with its bootstrap CI. `n` counts the samples that entered the denominator. */
export interface Rate {
  value: number;
  count: number;
  n: number;
  ci: ConfidenceInterval;
}

/** Fraction of true flags with a bootstrap CI (NaN value when there are no samples). */
export function rateWithCi(flags: readonly boolean[], options: BootstrapOptions = {}): Rate {
  const values = flags.map((f) => (f ? 1 : 0));
  const count = values.reduce<number>((a, b) => a + b, 0);
  return {
    value: flags.length === 0 ? Number.NaN : count / flags.length,
    count,
    n: flags.length,
    ci: bootstrapCi(values, options),
  };
}
