import { loadAttackPool, loadSeedSplit } from '@magic/attack-pool';
import { describe, expect, it } from 'vitest';
import { shippedAttackerPrompts, shippedAttackPool, shippedSeeds, shippedValidationSeeds } from './shipped-data.js';

describe('shipped game data', () => {
  it('trains on the train split of the clean seeds and validates on the disjoint val split', () => {
    const train = shippedSeeds();
    const val = shippedValidationSeeds();
    expect(train.map((s) => s.question)).toEqual(loadSeedSplit({ split: 'train' }).map((s) => s.text));
    expect(val.map((s) => s.question)).toEqual(loadSeedSplit({ split: 'val' }).map((s) => s.text));
    const trainTexts = new Set(train.map((s) => s.question));
    expect(val.some((s) => trainTexts.has(s.question))).toBe(false);
    for (const seeds of [train, val]) {
      expect(new Set(seeds.map((s) => s.dataType))).toEqual(new Set(['vanilla_harmful', 'vanilla_benign']));
    }
    // ≥ 300 training seeds of each kind; ≥ 100 harmful val seeds fill harmful_vanilla, and ≥ 40 benign val
    // seeds × 20 strategies fill benign_adversarial with diverse items
    for (const dataType of ['vanilla_harmful', 'vanilla_benign'] as const) {
      expect(train.filter((s) => s.dataType === dataType).length).toBeGreaterThanOrEqual(300);
    }
    expect(val.filter((s) => s.dataType === 'vanilla_harmful').length).toBeGreaterThanOrEqual(100);
    expect(val.filter((s) => s.dataType === 'vanilla_benign').length).toBeGreaterThanOrEqual(40);
  });

  it('the default phase-1 pool is the train split of the shipped pool, which rewrites train seeds only', () => {
    const chats = shippedAttackPool(shippedAttackerPrompts());
    const trainPool = loadAttackPool({ split: 'train' });
    expect(chats).toHaveLength(trainPool.length);
    const trainSeeds = new Set(shippedSeeds().map((s) => s.question));
    expect(trainPool.every((r) => trainSeeds.has(r.vanilla))).toBe(true);
  });
});
