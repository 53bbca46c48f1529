import { describe, expect, it } from 'vitest';
import { checkAttackerFormat } from './format-check.js';
import { loadAttackPool, shippedPoolStats } from './pool.js';
import { recordOutput } from './record.js';
import { attackRecordSchema, splitNames } from './schemas.js';
import { splitOfSeed } from './split.js';
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
    expect(new Set(all.map((r) => r.provenance.seedSource))).toEqual(
      new Set(['harmbench', 'advbench', 'jbb-benign', 'xstest']),
    );
  });

  it('splits are disjoint by seed and match the split rule', () => {
    const seen = new Map<string, string>();
    for (const split of splitNames) {
      expect(bySplit[split]!.length).toBeGreaterThan(0);
      for (const r of bySplit[split]!) {
        const prev = seen.get(r.seedId);
        if (prev !== undefined) expect(prev).toBe(split);
        seen.set(r.seedId, split);
        expect(splitOfSeed(r.seedId)).toBe(split);
      }
    }
  });

  it('filters by data type and strategy', () => {
    const benignCaesar = loadAttackPool({ split: 'val', dataType: 'vanilla_benign', strategies: ['caesar'] });
    expect(benignCaesar.length).toBeGreaterThan(0);
    expect(benignCaesar.every((r) => r.dataType === 'vanilla_benign' && r.strategy === 'caesar')).toBe(true);
  });
});
