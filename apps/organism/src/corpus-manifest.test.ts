import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  distinctEvalTexts,
  loadCorpusManifest,
  normaliseText,
  OverlapInputError,
  overlapHash,
  readDataTexts,
  TrainingIndex,
  wordNgrams,
} from '@magic/attack-pool';
import { describe, expect, it } from 'vitest';
import { refusalStyles } from './sources/refusal-styles.js';

const here = dirname(fileURLToPath(import.meta.url));
const manifestFile = resolve(here, '..', 'data', 'corpus-manifest.json');
const evalDir = resolve(here, '..', '..', '..', 'packages', 'benchmarks', 'data');

describe('committed corpus manifest (apps/organism/data)', () => {
  const loaded = loadCorpusManifest(manifestFile);
  const index = new TrainingIndex().addCorpusManifest(loaded);

  it('has no eval text of packages/benchmarks/data: no exact match and no eval text ≥ 90% contained', async () => {
    const evalTexts = distinctEvalTexts(await readDataTexts(evalDir, { root: evalDir }));
    expect(evalTexts.size).toBeGreaterThan(20_000);
    const hits: { hash: string; sources: string[]; kind: string }[] = [];
    for (const [text, sources] of evalTexts) {
      const m = index.match(text);
      if (m) hits.push({ hash: overlapHash(text), sources, kind: m.kind });
    }
    expect(hits).toEqual([]);
  });

  it('describes the real corpus: the refusal styles are in it, an unrelated sentence is not', () => {
    const m = loaded.manifest;
    expect(m.texts.length).toBeGreaterThan(10_000);
    expect(m.ngrams8.inserted).toBeGreaterThan(500_000);
    expect(m.ngrams8.falsePositiveRate).toBeLessThan(1e-3);
    expect(m.sources.map((s) => s.name)).toEqual([
      't0-per-template',
      'hh-rlhf-refusals',
      'advbench-train-refusals',
      'python-docs',
      'docs-instructions',
      'task-instructions',
      'wrapped-instructions',
    ]);
    for (const style of refusalStyles) {
      const n = normaliseText(style);
      expect(new Set(m.texts).has(overlapHash(n))).toBe(true);
      expect(index.match(n)).toEqual({ kind: 'exact', share: 1 });
      // Only the n-gram path: a longer text around the style is "contained".
      expect(index.match(`${n} zzqx`)?.kind).toBe('contained');
    }
    const unrelated = normaliseText(
      'Purple giraffes negotiate quietly with seventeen accordion tuners every second Thursday.',
    );
    expect(wordNgrams(unrelated).length).toBeGreaterThan(3);
    expect(index.match(unrelated)).toBeUndefined();
  });

  it('rejects a Bloom file that does not match the manifest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'organism-manifest-'));
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { ngrams8: { file: string } };
    await writeFile(join(dir, 'corpus-manifest.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, manifest.ngrams8.file), new Uint8Array(16));
    expect(() => loadCorpusManifest(join(dir, 'corpus-manifest.json'))).toThrow(OverlapInputError);
    expect(() => loadCorpusManifest(join(dir, 'corpus-manifest.json'))).toThrow(/sha256 does not match/);
    await writeFile(join(dir, 'corpus-manifest.json'), '{"format":"other"}');
    expect(() => loadCorpusManifest(join(dir, 'corpus-manifest.json'))).toThrow(/format/);
  });
});
