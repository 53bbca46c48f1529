import { loadAttackPool } from '@magic/attack-pool';
import type { Seed } from '@magic/rollout';
import type { GameConfig } from '../config/schema.js';
import { deriveSeed } from '../trainer/rng.js';
import { readSeedFile } from './seeds.js';
import {
  buildPaperValidationSet,
  buildSeparateValidationSets,
  seedsAsValidationRecords,
  type ValidationPlan,
  type ValidationRecord,
} from './validation-sets.js';

/** The attack pool's val split: rewrites of the held-out seeds across all strategies. */
export function shippedValidationRecords(): ValidationRecord[] {
  return loadAttackPool({ split: 'val' });
}

/** A validation plan plus every held-out seed text (sampled or not), to keep out of training. */
export interface ResolvedValidation extends ValidationPlan {
  heldOutTexts: Set<string>;
}

const norm = (text: string) => text.trim().toLowerCase();

/**
 * The validation of a run per `config.validation`: 'separate' builds the three sets from
 * `data.valFiles` or else the pool's val split (`records`); 'paper' reads MAGIC's test_wjb set.
 * The attacker side (when on) rewrites the held-out harmful seeds of the separate sets in both modes.
 */
export async function resolveValidation(
  config: GameConfig,
  records: () => ValidationRecord[] = shippedValidationRecords,
): Promise<ResolvedValidation> {
  const v = config.validation;
  const held =
    config.data.valFiles !== undefined ? seedsAsValidationRecords(readSeedFile(config.data.valFiles)) : records();
  const separate = buildSeparateValidationSets(held, {
    setSize: v.setSize,
    seed: deriveSeed(config.trainer.seed, 'validation'),
  });
  const plan = v.mode === 'paper' ? await buildPaperValidationSet(v.paperFile) : separate;
  const heldOutTexts = new Set([
    ...held.map((r) => norm(r.vanilla)),
    ...plan.sets.flatMap((s) => s.items.map((i) => norm(i.vanilla))),
  ]);
  return { sets: plan.sets, attackerSeeds: v.attackerSide ? separate.attackerSeeds : [], heldOutTexts };
}

/** Training seeds without any held-out validation seed (case and outer spaces ignored). */
export function withoutHeldOut(train: readonly Seed[], heldOutTexts: ReadonlySet<string>): Seed[] {
  return train.filter((s) => !heldOutTexts.has(norm(s.question)));
}
