import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SeedLoadError } from './errors.js';
import { distinctEvalTexts, findOverlap, TrainingIndex } from './overlap/index.js';
import { normaliseText } from './overlap/normalise.js';
import { loadSeedSplit, seedSplitOf, seedSplitsByType } from './seed-split.js';

const dir = mkdtempSync(join(tmpdir(), 'seed-split-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seedSplitOf', () => {
  it('depends only on the normalised text', () => {
    expect(seedSplitOf('Explain how tides work.')).toBe(seedSplitOf('  EXPLAIN how tides -- work'));
    const splits = new Set(Array.from({ length: 200 }, (_, i) => seedSplitOf(`placeholder request ${i}`)));
    expect(splits).toEqual(new Set(['train', 'val']));
  });
  it('holds out about 35% (share is adjustable)', () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `placeholder request number ${i}`);
    const val = texts.filter((t) => seedSplitOf(t) === 'val').length / texts.length;
    expect(val).toBeGreaterThan(0.32);
    expect(val).toBeLessThan(0.38);
    expect(texts.filter((t) => seedSplitOf(t, 0) === 'val')).toEqual([]);
  });
});

describe('shipped clean seeds', () => {
  const all = loadSeedSplit();

  it('has at least 300 harmful and 300 benign training seeds, ≥ 100 harmful and ≥ 40 benign held out', () => {
    const count = (split: string, dataType: string) =>
      all.filter((s) => s.split === split && s.dataType === dataType).length;
    expect(count('train', 'vanilla_harmful')).toBeGreaterThanOrEqual(300);
    expect(count('train', 'vanilla_benign')).toBeGreaterThanOrEqual(300);
    expect(count('val', 'vanilla_harmful')).toBeGreaterThanOrEqual(100);
    expect(count('val', 'vanilla_benign')).toBeGreaterThanOrEqual(40);
  });

  it('comes from AdvBench (harmful) and Self-Instruct (benign), one text per seed, split by the rule', () => {
    expect(new Set(all.filter((s) => s.dataType === 'vanilla_harmful').map((s) => s.source))).toEqual(
      new Set(['advbench']),
    );
    expect(new Set(all.filter((s) => s.dataType === 'vanilla_benign').map((s) => s.source))).toEqual(
      new Set(['self-instruct']),
    );
    expect(new Set(all.map((s) => normaliseText(s.text))).size).toBe(all.length);
    expect(all.map((s) => s.split)).toEqual(seedSplitsByType(all));
  });

  it('no validation seed is a near-copy of training seeds (exact, or ≥ 90% of its 8-grams in the train split)', () => {
    const train = new TrainingIndex().addTexts(all.filter((s) => s.split === 'train').map((s) => s.text));
    const val = all.filter((s) => s.split === 'val').map((s) => ({ text: s.text, source: s.id }));
    expect(findOverlap(distinctEvalTexts(val), train).hits).toEqual([]);
  });

  it('filters by split and data type', () => {
    const val = loadSeedSplit({ split: 'val', dataType: 'vanilla_benign' });
    expect(val.length).toBeGreaterThan(0);
    expect(val.every((s) => s.split === 'val' && s.dataType === 'vanilla_benign')).toBe(true);
    expect(loadSeedSplit({ split: 'train' }).length + loadSeedSplit({ split: 'val' }).length).toBe(all.length);
  });

  it('a malformed row is a SeedLoadError naming file and line', () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ id: 'a', text: 'x', dataType: 'vanilla_benign', source: 's', split: 'val' })}\n{"id":"b"}\n`,
    );
    expect(() => loadSeedSplit({ file })).toThrow(SeedLoadError);
    try {
      loadSeedSplit({ file });
    } catch (e) {
      expect((e as SeedLoadError).line).toBe(2);
    }
  });
});
