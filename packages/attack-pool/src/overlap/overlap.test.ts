import { gzipSync } from 'node:zlib';
import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { OverlapInputError } from './errors.js';
import { extractTexts } from './extract.js';
import { normaliseText, overlapHash, wordNgrams } from './normalise.js';
import { findOverlap, parseOverlapManifest, TrainingIndex } from './training-index.js';

const enc = (s: string) => new TextEncoder().encode(s);
// Neutral placeholder sentences (no dataset rows).
const longA = 'the quick brown fox jumps over the lazy dog near the quiet river bank today';
const longB = 'a small green frog sat on a wide lily pad and sang a very long evening song';

describe('normalisation', () => {
  it('lower-cases, collapses non-alphanumeric runs to one space and trims', () => {
    expect(normaliseText('  Hello,   WORLD!!\n\tÉté-2024 ')).toBe('hello world été 2024');
    expect(wordNgrams('a b c', 2)).toEqual(['a b', 'b c']);
    expect(wordNgrams('a b', 8)).toEqual([]);
  });
});

describe('findOverlap', () => {
  it('counts exact matches after normalisation', () => {
    const index = new TrainingIndex().addTexts([longA.toUpperCase().replaceAll(' ', ' -- ')]);
    const r = findOverlap([{ text: longA, source: 'eval.jsonl' }], index);
    expect(r).toMatchObject({ evalTexts: 1, exact: 1, contained: 0 });
    expect(r.hits[0]).toEqual({
      hash: overlapHash(normaliseText(longA)),
      sources: ['eval.jsonl'],
      kind: 'exact',
      share: 1,
    });
  });

  it('counts an eval text as contained when ≥ 90% of its 8-grams occur in the union of training texts', () => {
    // split across two training texts with overlap so every 8-gram occurs in one of them
    const words = longA.split(' ');
    const index = new TrainingIndex().addTexts([
      words.slice(0, 10).join(' '),
      `prefix ${words.slice(2).join(' ')} suffix`,
    ]);
    const r = findOverlap([{ text: longA, source: 'e' }], index);
    expect(r).toMatchObject({ exact: 0, contained: 1 });
    // one word changed in the middle breaks 8 of its 8-grams: 8 words kept out of 15 is not 90%
    const changed = longA.replace('lazy', 'sleepy');
    expect(findOverlap([{ text: changed, source: 'e' }], new TrainingIndex().addTexts([longA])).hits).toEqual([]);
  });

  it('ignores eval texts shorter than 30 normalised characters and deduplicates eval texts', () => {
    const index = new TrainingIndex().addTexts(['short placeholder', longB]);
    const r = findOverlap(
      [
        { text: 'short placeholder', source: 'a' },
        { text: longB, source: 'a' },
        { text: longB.toUpperCase(), source: 'b' },
      ],
      index,
    );
    expect(r.evalTexts).toBe(1);
    expect(r.hits).toHaveLength(1);
    expect(at(r.hits, 0, 'hits').sources).toEqual(['a', 'b']);
  });

  it('catches an eval text planted in a manifest (a corpus known only by hashes)', () => {
    const corpus = new TrainingIndex().addTexts([`intro words ${longB} outro words`]);
    const manifest = parseOverlapManifest(JSON.parse(JSON.stringify(corpus.toManifest('organism-corpus'))));
    const fromManifest = new TrainingIndex().addManifest(manifest);
    const r = findOverlap([{ text: longB, source: 'eval' }], fromManifest);
    expect(r).toMatchObject({ exact: 0, contained: 1 });
    const exact = new TrainingIndex().addManifest({
      ...manifest,
      textHashes: [overlapHash(normaliseText(longA))],
      ngramHashes: [],
    });
    expect(findOverlap([{ text: longA, source: 'eval' }], exact)).toMatchObject({ exact: 1 });
    expect(() => parseOverlapManifest({ ...manifest, textHashes: ['nothex'] }, 'm.json')).toThrow(OverlapInputError);
  });
});

describe('extractTexts', () => {
  it('reads every string field of jsonl(.gz), json, csv and tsv rows', async () => {
    const jsonl = `{"a": "one", "b": {"c": ["two", 3]}, "d": NaN}\n\n{"a": "three"}\n`;
    expect(await extractTexts('x.jsonl', enc(jsonl))).toEqual(['one', 'two', 'three']);
    expect(await extractTexts('x.jsonl.gz', gzipSync(jsonl))).toEqual(['one', 'two', 'three']);
    expect(await extractTexts('x.json', enc('[{"q": "four"}]'))).toEqual(['four']);
    expect(await extractTexts('x.csv', enc('h1,h2\n"five, six",seven\n'))).toEqual(['h1', 'h2', 'five, six', 'seven']);
    expect(await extractTexts('x.tsv', enc('h\tk\neight\tnine\n'))).toEqual(['h', 'k', 'eight', 'nine']);
  });
  it('a broken file is an OverlapInputError naming it', async () => {
    await expect(extractTexts('bad.jsonl', enc('{"a": '))).rejects.toThrow(/bad\.jsonl/);
    await expect(extractTexts('notes.md', enc('x'))).rejects.toBeInstanceOf(OverlapInputError);
  });
});
