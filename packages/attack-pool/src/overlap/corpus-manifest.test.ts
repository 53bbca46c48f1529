import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BloomFilter } from './bloom.js';
import { BLOOM_PROBE, CORPUS_MANIFEST_FORMAT, type CorpusManifest, loadCorpusManifest } from './corpus-manifest.js';
import { OverlapInputError } from './errors.js';
import { normaliseText, overlapHash, wordNgrams } from './normalise.js';
import { findOverlap, TrainingIndex } from './training-index.js';

// Neutral placeholder sentences (no dataset rows).
const corpusText =
  'intro words the quick brown fox jumps over the lazy dog near the quiet river bank today outro words';
const inside = 'the quick brown fox jumps over the lazy dog near the quiet river bank today';
const outside = 'a small green frog sat on a wide lily pad and sang a very long evening song';

/** Writes a Bloom-filter corpus manifest of `texts` to a fresh dir; returns the manifest path. */
function writeManifest(texts: string[], patch: Partial<CorpusManifest> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-manifest-'));
  const grams = new Set(texts.flatMap((t) => wordNgrams(normaliseText(t)).map(overlapHash)));
  const bloom = BloomFilter.sized(grams.size, 1e-6, 1 << 16);
  for (const g of grams) bloom.add(g);
  writeFileSync(join(dir, 'grams.bloom'), bloom.bits);
  const manifest: CorpusManifest = {
    format: CORPUS_MANIFEST_FORMAT,
    method: 'fixture',
    normalisation: 'fixture',
    hash: 'cyrb64',
    ngramWords: 8,
    texts: texts.map((t) => overlapHash(normaliseText(t))).sort(),
    ngrams8: {
      encoding: 'bloom',
      file: 'grams.bloom',
      sha256: createHash('sha256').update(bloom.bits).digest('hex'),
      bits: bloom.numBits,
      hashes: bloom.numHashes,
      inserted: grams.size,
      falsePositiveRate: bloom.falsePositiveRate(grams.size),
      probe: BLOOM_PROBE,
    },
    sources: [],
    totals: {},
    ...patch,
  };
  writeFileSync(join(dir, 'corpus-manifest.json'), JSON.stringify(manifest));
  return join(dir, 'corpus-manifest.json');
}

describe('Bloom-filter corpus manifests in TrainingIndex', () => {
  it('finds exact and contained eval texts through the manifest, and nothing unrelated', () => {
    const index = new TrainingIndex().addCorpusManifest(loadCorpusManifest(writeManifest([corpusText])));
    const r = findOverlap(
      [
        { text: inside, source: 'eval-a' },
        { text: corpusText.toUpperCase(), source: 'eval-b' },
        { text: outside, source: 'eval-c' },
      ],
      index,
    );
    expect(r).toMatchObject({ exact: 1, contained: 1 });
    expect(r.hits.map((h) => h.sources[0]).sort()).toEqual(['eval-a', 'eval-b']);
    // combined with plain texts: 8-grams of both sides count towards one eval text
    const half = inside.split(' ');
    const mixed = new TrainingIndex()
      .addCorpusManifest(loadCorpusManifest(writeManifest([half.slice(0, 10).join(' ')])))
      .addTexts([half.slice(2).join(' ')]);
    expect(mixed.match(normaliseText(inside))?.kind).toBe('contained');
  });

  it('rejects a Bloom file that does not match, and a manifest hashed another way', () => {
    const file = writeManifest([corpusText]);
    writeFileSync(join(file, '..', 'grams.bloom'), new Uint8Array(8));
    expect(() => loadCorpusManifest(file)).toThrow(OverlapInputError);
    expect(() => loadCorpusManifest(file)).toThrow(/sha256 does not match/);
    const other = writeManifest([corpusText], { hash: 'sha256' as 'cyrb64' });
    expect(() => loadCorpusManifest(other)).toThrow(/hash/);
  });
});
