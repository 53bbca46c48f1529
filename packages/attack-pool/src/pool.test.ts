import { defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { checkAttackerFormat } from './format-check.js';
import { loadAttackPool, shippedPoolStats } from './pool.js';
import { recordOutput } from './record.js';
import { attackRecordSchema, splitNames } from './schemas.js';
import { loadSeedSplit } from './seed-split.js';
import { strategyIds } from './strategies.js';

describe('shipped attack pool', () => {
  const bySplit = Object.fromEntries(splitNames.map((s) => [s, loadAttackPool({ split: s })]));

  it('every shipped record validates against the schema and passes the format check', () => {
    const all = loadAttackPool();
    expect(all.length).toBe(shippedPoolStats().records);
    for (const r of all) {
      expect(attackRecordSchema.safeParse(r).success).toBe(true);
      expect(checkAttackerFormat(recordOutput(r)).ok).toBe(true);
    }
  });

  it('covers all 20 strategies and both data types, and labels every rewrite honestly', () => {
    const all = loadAttackPool();
    expect(new Set(all.map((r) => r.strategy))).toEqual(new Set(strategyIds));
    expect(new Set(all.map((r) => r.dataType))).toEqual(new Set(['vanilla_harmful', 'vanilla_benign']));
    expect(new Set(all.map((r) => r.generator))).toEqual(new Set(['template', 'transform']));
    expect(new Set(all.map((r) => r.provenance.seedSource))).toEqual(new Set(['advbench', 'self-instruct']));
  });

  it('pool splits follow the seed split: train rewrites train seeds, val rewrites val seeds, no test split', () => {
    const seedSplit = new Map(loadSeedSplit().map((s) => [s.id, s.split]));
    expect(bySplit.test).toEqual([]);
    for (const split of ['train', 'val'] as const) {
      expect(defined(bySplit[split], 'bySplit entry').length).toBeGreaterThan(0);
      for (const r of defined(bySplit[split], 'bySplit entry')) expect(seedSplit.get(r.seedId)).toBe(split);
    }
  });

  it('every val seed is rewritten by all 20 strategies (validation sets need each one)', () => {
    const strategiesBySeed = new Map<string, Set<string>>();
    for (const r of defined(bySplit.val, 'bySplit.val')) {
      const set = strategiesBySeed.get(r.seedId) ?? new Set();
      set.add(r.strategy);
      strategiesBySeed.set(r.seedId, set);
    }
    const valSeeds = loadSeedSplit({ split: 'val' });
    expect(strategiesBySeed.size).toBe(valSeeds.length);
    for (const s of valSeeds) expect(strategiesBySeed.get(s.id)?.size).toBe(strategyIds.length);
  });

  it('filters by data type and strategy', () => {
    const benignCaesar = loadAttackPool({ split: 'val', dataType: 'vanilla_benign', strategies: ['caesar'] });
    expect(benignCaesar.length).toBeGreaterThan(0);
    expect(benignCaesar.every((r) => r.dataType === 'vanilla_benign' && r.strategy === 'caesar')).toBe(true);
  });
});
