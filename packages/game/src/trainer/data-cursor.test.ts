import { describe, expect, it } from 'vitest';
import { SeedSampler } from './data-cursor.js';

// 14 "harmful" items (even ids below 28) and 6 "benign" ones (ids 100-105): 30% benign, as a skewed seed file
const items = [...Array.from({ length: 14 }, (_, i) => 2 * i), ...Array.from({ length: 6 }, (_, i) => 100 + i)];
const isBenign = (x: number) => x >= 100;

describe('SeedSampler', () => {
  it('without balance, batches follow the seeded permutation (the mix of the file)', () => {
    const s = new SeedSampler(items, { seed: 3, shuffle: true });
    const epoch = s.nextBatch(20);
    expect([...epoch].sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b));
  });

  it('balance share 0.5 puts exactly half benign items in every batch of 4, cycling the smaller kind', () => {
    const s = new SeedSampler(items, { seed: 3, shuffle: true, balance: { share: 0.5, isMember: isBenign } });
    for (let b = 0; b < 5; b++) {
      const batch = s.nextBatch(4);
      expect(batch.filter(isBenign)).toHaveLength(2);
    }
    // the 10 benign slots of the 20-item epoch went through all 6 benign items before repeating one
    const again = new SeedSampler(items, { seed: 3, shuffle: true, balance: { share: 0.5, isMember: isBenign } });
    const benign = again.nextBatch(20).filter(isBenign);
    expect(new Set(benign.slice(0, 6)).size).toBe(6);
    expect(new Set(benign).size).toBe(6);
    // 10 of the 14 harmful items, none twice
    const harmful = new SeedSampler(items, { seed: 3, shuffle: true, balance: { share: 0.5, isMember: isBenign } })
      .nextBatch(20)
      .filter((x) => !isBenign(x));
    expect(new Set(harmful).size).toBe(10);
  });

  it('is deterministic per seed and resumes from its cursor', () => {
    const opts = { seed: 9, shuffle: true, balance: { share: 0.25, isMember: isBenign } };
    const a = new SeedSampler(items, opts);
    const first = a.nextBatch(8);
    expect(first.filter(isBenign)).toHaveLength(2);
    const rest = a.nextBatch(30);
    const b = new SeedSampler(items, opts);
    b.cursor = { epoch: 0, index: 8 };
    expect(b.nextBatch(30)).toEqual(rest);
    expect(new SeedSampler(items, opts).nextBatch(8)).toEqual(first);
  });

  it('share 0 or 1 draws one kind only; a share the items cannot give is a RangeError', () => {
    expect(
      new SeedSampler(items, { seed: 1, shuffle: false, balance: { share: 1, isMember: isBenign } })
        .nextBatch(12)
        .every(isBenign),
    ).toBe(true);
    expect(
      new SeedSampler(items, { seed: 1, shuffle: false, balance: { share: 0, isMember: isBenign } })
        .nextBatch(12)
        .some(isBenign),
    ).toBe(false);
    expect(
      () => new SeedSampler([1, 2], { seed: 1, shuffle: true, balance: { share: 0.5, isMember: isBenign } }),
    ).toThrow(RangeError);
    expect(
      () => new SeedSampler(items, { seed: 1, shuffle: true, balance: { share: 1.5, isMember: isBenign } }),
    ).toThrow(RangeError);
  });
});
