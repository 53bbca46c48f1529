import { at, defined } from '@magic/core';
import { z } from 'zod';
import { broadcastToTokens, computeGrpoOutcomeAdvantage, computeRlooOutcomeAdvantage } from './advantages.js';
import { validateGrpoBatch } from './batch.js';
import type { GrpoConfig } from './config.js';
import { GrpoInputError } from './errors.js';
import type { GrpoBatch } from './policy.js';

const finite = z.number().finite();

/**
 * What `GrpoUpdater.computeAdvantages` hands to `step` (verl's `compute_advantage` output): one advantage per
 * sequence, broadcast to the trained tokens, and the mask of tokens that train.
 */
export const GrpoAdvantagesSchema = z.object({
  /** One advantage per sequence `(B)`. */
  advantages: z.array(finite),
  /** `advantages[b]` on the tokens that train, 0 elsewhere `(B, T)`. */
  tokenAdvantages: z.array(z.array(finite)),
  /** 1 on the tokens that train (the response mask, less zero-std groups with `maskZeroStdGroups`) `(B, T)`. */
  trainMask: z.array(z.array(z.union([z.literal(0), z.literal(1)]))),
  /** Group index of each sequence `(B)`, groups numbered by first appearance of their uid. */
  groupIndex: z.array(z.number().int().nonnegative()),
  numGroups: z.number().int().nonnegative(),
  /** Per group: true when it has ≥ 2 members that all got the same reward. */
  zeroStdGroups: z.array(z.boolean()),
  /** Fraction of such groups (TRL's `frac_reward_zero_std`). */
  fracRewardZeroStd: z.number().min(0).max(1),
});
export type GrpoAdvantages = z.infer<typeof GrpoAdvantagesSchema>;

/** Advantages of `batch` under `config` (estimator, std scaling, zero-std masking), validated by the schema. */
export function computeBatchAdvantages(
  batch: GrpoBatch,
  config: Pick<GrpoConfig, 'advEstimator' | 'epsilon' | 'normAdvByStd' | 'scaleRewards' | 'maskZeroStdGroups'>,
): GrpoAdvantages {
  validateGrpoBatch(batch);
  const adv =
    config.advEstimator === 'rloo'
      ? computeRlooOutcomeAdvantage(batch.rewards, batch.uids)
      : computeGrpoOutcomeAdvantage(batch.rewards, batch.uids, {
          epsilon: config.epsilon,
          normByStd: config.normAdvByStd,
          scaleRewards: config.scaleRewards,
        });
  const trainMask = batch.responseMask.map((row, b) =>
    config.maskZeroStdGroups && at(adv.zeroStdGroups, at(adv.groupIndex, b, 'groupIndex'), 'zeroStdGroups')
      ? row.map(() => 0 as const)
      : row.map(bit),
  );
  return checkAdvantages({ ...adv, trainMask, tokenAdvantages: broadcastToTokens(adv.advantages, trainMask) }, batch);
}

function bit(m: number): 0 | 1 {
  return m > 0 ? 1 : 0;
}

/** Validates `advantages` (schema, finite values) and that it belongs to `batch` (same B and T). */
export function checkAdvantages(advantages: GrpoAdvantages, batch: GrpoBatch): GrpoAdvantages {
  const parsed = GrpoAdvantagesSchema.safeParse(advantages);
  if (!parsed.success) {
    const issue = defined(parsed.error.issues[0], 'zod issue');
    throw new GrpoInputError(`advantages.${issue.path.join('.')}`, issue.message);
  }
  const a = parsed.data;
  const rows = batch.inputIds.length;
  const length = batch.inputIds[0]?.length ?? 0;
  for (const [field, n] of [
    ['advantages', a.advantages.length],
    ['tokenAdvantages', a.tokenAdvantages.length],
    ['trainMask', a.trainMask.length],
    ['groupIndex', a.groupIndex.length],
  ] as const) {
    if (n !== rows) throw new GrpoInputError(`advantages.${field}`, `has ${n} rows, the batch ${rows}`);
  }
  a.trainMask.forEach((row, b) => {
    if (row.length !== length || at(a.tokenAdvantages, b, 'tokenAdvantages').length !== length) {
      throw new GrpoInputError('advantages.trainMask', `row length differs from the batch's ${length}`, b);
    }
  });
  return a;
}
