import type { GuardExample } from '../local/dataset.js';
import { LocalGuard } from '../local/local-guard.js';
import { type TrainHeadsOptions, trainLocalGuardHeads } from '../local/train.js';
import type { Guard } from '../types.js';

/**
 * A way to build a guard from labelled examples: what cross-validation retrains per fold. The result is any
 * `Guard`, so evaluation goes through the same interface as the shipped guard, an `EndpointGuard` over HTTP,
 * or a future transformer guard (whose recipe fine-tunes its backbone on `rows`).
 */
export interface GuardRecipe {
  readonly name: string;
  train(rows: readonly GuardExample[], options: { seed: number }): Promise<Guard>;
}

/** The local n-gram guard's recipe (`magic-guard train` without its validation split). */
export function ngramGuardRecipe(options: Omit<TrainHeadsOptions, 'seed'> = {}): GuardRecipe {
  return {
    name: 'ngram',
    async train(rows, { seed }) {
      return new LocalGuard(trainLocalGuardHeads(rows, { ...options, seed }));
    },
  };
}
