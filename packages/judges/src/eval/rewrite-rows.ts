import type { SeedRecord, StrategyId } from '@magic/attack-pool';
import { at } from '@magic/core';
import { fnv1a, type GuardExample } from '../local/dataset.js';
import { rewriteSeed } from './loso.js';

/**
 * Prompt rows of the attack pool's rewrites of `seeds` (training-side seeds only): `perSeed` rewrites of each
 * seed, by strategies picked with a seeded hash, labelled with the seed's label (harmful stays harmful however
 * it is wrapped or encoded). The same construction LOSO trains on; no new text beyond the pool's templates.
 */
export async function seedRewriteRows(
  seeds: readonly SeedRecord[],
  strategies: readonly StrategyId[],
  options: { perSeed?: number; seed?: number; groupOf?: (s: SeedRecord) => string } = {},
): Promise<GuardExample[]> {
  const perSeed = Math.min(options.perSeed ?? 4, strategies.length);
  const seed = options.seed ?? 1234;
  const groupOf = options.groupOf ?? ((s: SeedRecord) => `seed:${s.id}`);
  const rows: GuardExample[] = [];
  for (const s of seeds) {
    const start = fnv1a(`${seed}:${s.id}:augment`) % Math.max(1, strategies.length);
    for (let k = 0; k < perSeed; k++) {
      const strategy = at(strategies, (start + k) % strategies.length, 'strategies');
      rows.push({
        task: 'prompt',
        text: await rewriteSeed(s, strategy),
        label: s.dataType === 'vanilla_harmful' ? 1 : 0,
        source: `rewrite-${strategy}`,
        group: groupOf(s),
      });
    }
  }
  return rows;
}
