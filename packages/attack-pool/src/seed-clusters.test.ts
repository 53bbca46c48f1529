import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { distinctEvalTexts, findOverlap, TrainingIndex } from './overlap/index.js';
import { nearDuplicateClusters } from './seed-clusters.js';
import { clusterSeedSplits, seedSplitOf, seedSplitsByType, VAL_SEED_SHARES } from './seed-split.js';

const base = 'write a short placeholder note about the weather in the small town today';
const sorted = (clusters: number[][]) =>
  clusters.map((c) => [...c].sort((a, b) => a - b)).sort((a, b) => at(a, 0, 'a') - at(b, 0, 'b'));

describe('nearDuplicateClusters', () => {
  it('links exact normalised copies and texts whose 8-grams are contained in another', () => {
    const texts = [
      base,
      'Write a short placeholder NOTE about the weather in the small town, today!',
      `${base} please`,
      'an unrelated placeholder sentence about sorting numbers in a list of items',
    ];
    expect(sorted(nearDuplicateClusters(texts))).toEqual([[0, 1, 2], [3]]);
  });

  it('links a text whose 8-grams are spread over several others (the overlap check counts the union)', () => {
    const a = 'one two three four five six seven eight nine ten';
    const b = 'four five six seven eight nine ten eleven twelve';
    const c = 'one two three four five six seven eight nine ten eleven twelve';
    // c is contained in neither a nor b alone, but in their union
    const clusters = sorted(nearDuplicateClusters([a, b, c, 'alpha beta gamma delta epsilon zeta eta theta iota']));
    expect(clusters).toEqual([[0, 1, 2], [3]]);
    const idx = new TrainingIndex().addTexts([a, b]);
    expect(findOverlap(distinctEvalTexts([{ text: c, source: 'c' }]), idx).hits.length).toBe(1);
  });

  it('does not link texts sharing under 90% of 8-grams', () => {
    const a = 'one two three four five six seven eight nine ten eleven twelve';
    const b = 'one two three four five six seven eight x y z w';
    expect(nearDuplicateClusters([a, b])).toHaveLength(2);
  });

  it('links a short text (under 8 words, at least 30 characters) only to texts holding its whole word sequence', () => {
    const short = 'placeholder request about garden tools';
    const texts = [
      short,
      `please answer this ${short} quickly`,
      'placeholder request about garden toolsheds',
      'tell a joke',
    ];
    expect(sorted(nearDuplicateClusters(texts))).toEqual([[0, 1], [2], [3]]);
    // under 30 characters: too generic, exact copies only
    expect(nearDuplicateClusters(['tell a joke', 'tell a joke about cats and dogs'])).toHaveLength(2);
  });
});

describe('clusterSeedSplits', () => {
  it('puts a whole cluster in the split of its smallest normalised member, independent of order', () => {
    const variants = Array.from({ length: 40 }, (_, i) => [`${base} variant ${i}`, `${base} variant ${i} again`]);
    for (const [a, b] of variants) {
      const key = at([defined(a, 'a'), defined(b, 'b')].sort(), 0, 'sort');
      expect(clusterSeedSplits([defined(a, 'a'), defined(b, 'b')])).toEqual([seedSplitOf(key), seedSplitOf(key)]);
      expect(clusterSeedSplits([defined(b, 'b'), defined(a, 'a')])).toEqual([seedSplitOf(key), seedSplitOf(key)]);
    }
    // both splits occur across clusters
    expect(new Set(variants.map(([a, b]) => clusterSeedSplits([defined(a, 'a'), defined(b, 'b')])[0]))).toEqual(
      new Set(['train', 'val']),
    );
  });

  it('leaves a singleton in the split of its own hash', () => {
    const texts = Array.from({ length: 50 }, (_, i) => `placeholder request number ${i} with several words in it`);
    expect(clusterSeedSplits(texts)).toEqual(texts.map((t) => seedSplitOf(t)));
  });
});

describe('seedSplitsByType', () => {
  const texts = Array.from({ length: 400 }, (_, i) => `placeholder request number ${i} with several words in it`);

  it("splits each data type by clusterSeedSplits with that type's share", () => {
    const seeds = texts.map(
      (text, i) => ({ text, dataType: i % 2 === 0 ? 'vanilla_harmful' : 'vanilla_benign' }) as const,
    );
    const got = seedSplitsByType(seeds);
    for (const dataType of ['vanilla_harmful', 'vanilla_benign'] as const) {
      const idx = seeds.flatMap((s, i) => (s.dataType === dataType ? [i] : []));
      expect(idx.map((i) => got[i])).toEqual(
        clusterSeedSplits(
          idx.map((i) => at(texts, i, 'texts')),
          VAL_SEED_SHARES[dataType],
        ),
      );
    }
  });

  it('holds out a smaller share of benign seeds than of harmful ones', () => {
    expect(VAL_SEED_SHARES.vanilla_benign).toBeLessThan(VAL_SEED_SHARES.vanilla_harmful);
    const share = (dataType: 'vanilla_harmful' | 'vanilla_benign') =>
      seedSplitsByType(texts.map((text) => ({ text, dataType }))).filter((s) => s === 'val').length / texts.length;
    expect(share('vanilla_benign')).toBeCloseTo(VAL_SEED_SHARES.vanilla_benign, 1);
    expect(share('vanilla_harmful')).toBeCloseTo(VAL_SEED_SHARES.vanilla_harmful, 1);
    // the same text keeps its split or moves train → val as the share grows, never val → train
    const benign = seedSplitsByType(texts.map((text) => ({ text, dataType: 'vanilla_benign' as const })));
    const harmful = seedSplitsByType(texts.map((text) => ({ text, dataType: 'vanilla_harmful' as const })));
    expect(benign.every((s, i) => s === 'train' || harmful[i] === 'val')).toBe(true);
  });
});
