import { loadSeedSplit } from '@magic/attack-pool';
import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { seedRewriteRows } from './rewrite-rows.js';

describe('seedRewriteRows', () => {
  it('rewrites training-side seeds by the pool strategies, keeping each seed label and group', async () => {
    const train = loadSeedSplit({ split: 'train' });
    const seeds = [
      ...train.filter((s) => s.dataType === 'vanilla_harmful').slice(0, 2),
      ...train.filter((s) => s.dataType === 'vanilla_benign').slice(0, 2),
    ];
    const rows = await seedRewriteRows(seeds, ['caesar', 'role-play', 'morse'], { perSeed: 2, seed: 7 });
    expect(rows).toHaveLength(8);
    for (const [k, r] of rows.entries()) {
      const s = at(seeds, Math.floor(k / 2), 'seeds');
      expect(r.task).toBe('prompt');
      expect(r.group).toBe(`seed:${s.id}`);
      expect(r.label).toBe(s.dataType === 'vanilla_harmful' ? 1 : 0);
      expect(r.source).toMatch(/^rewrite-(caesar|role-play|morse)$/);
      expect(r.text).not.toBe(s.text);
    }
    // Two different strategies per seed, and the same rows for the same seed.
    expect(new Set(rows.slice(0, 2).map((r) => r.source)).size).toBe(2);
    expect(await seedRewriteRows(seeds, ['caesar', 'role-play', 'morse'], { perSeed: 2, seed: 7 })).toEqual(rows);
  });
});
