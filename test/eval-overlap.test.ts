// No evaluation text in any training path (issue 19 §1). One method, from @magic/attack-pool's overlap checker:
// an eval text (every string field of every row under packages/benchmarks/data, normalised, ≥ 30 characters)
// hits when it equals a training text after normalisation, or when ≥ 90% of its word 8-grams occur in the
// union of all training texts. Hits are reported by hash and eval file, never by text. The model organism's
// corpus (not committed) is checked through its Bloom-filter manifest: a Bloom filter can only add false
// positives (about 1e-5 per 8-gram), so the check can fail spuriously but never miss a real overlap.
// The same method also keeps the validation-split seeds out of every training path.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  distinctEvalTexts,
  type EvalText,
  extractTexts,
  findOverlap,
  isDataFile,
  loadCorpusManifest,
  loadSeedSplit,
  OverlapInputError,
  type OverlapReport,
  parseOverlapManifest,
  readDataTexts,
  TrainingIndex,
} from '@magic/attack-pool';
import { defined } from '@magic/core';
import { shippedAttackerPrompts, shippedAttackPool, shippedSeeds, shippedValidationSeeds } from '@magic/game';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const evalDir = 'packages/benchmarks/data';

/** Folders whose data files are training data the project ships or builds. */
const trainingDirs = ['packages/attack-pool/data', 'packages/judges/data/guard-training'];

/**
 * The only exemption: the paper-mode validation file (`validation: paper`, issue 19 §2). It is MAGIC's
 * test_wjb.parquet, the 250 adversarial-benign WildJailbreak rows, i.e. the same data as the WJB-benign eval
 * column, kept on purpose so a run can validate exactly as the paper did. No default path trains on it.
 */
const exemptions: Record<string, string> = {
  'packages/attack-pool/data/seeds/wildjailbreak/test_wjb.parquet':
    'paper-mode validation set (validation: paper); same rows as the WJB-benign eval column by design',
};

/** Commit whose training files the issue measured (4,272 hits) before the clean rebuild. */
const beforeCommit = '621fc15';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (isDataFile(e.name)) out.push(relative(root, p));
    }
  };
  walk(resolve(root, dir));
  return out.sort();
}

/** A data file's strings; a file that does not parse (a loader's malformed-input fixture) counts as one text. */
async function fileTexts(name: string, bytes: Uint8Array): Promise<string[]> {
  try {
    return await extractTexts(name, bytes);
  } catch (e) {
    if (!OverlapInputError.isInstance(e)) throw e;
    return [new TextDecoder().decode(bytes)];
  }
}

/**
 * Committed manifests of corpora that are not committed: `*.overlap-manifest.json` (hash lists) and
 * `corpus-manifest.json` (hashes + Bloom filter, the model organism's corpus), relative to the root.
 */
function manifestFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.') || e.name === 'dist') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.overlap-manifest.json') || e.name === 'corpus-manifest.json')
        out.push(relative(root, p));
    }
  };
  for (const d of ['packages', 'apps']) walk(resolve(root, d));
  return out.sort();
}

const organismManifest = 'apps/organism/data/corpus-manifest.json';

/** Adds every committed corpus manifest to `index`, each in its format. */
function addManifests(index: TrainingIndex): string[] {
  const files = manifestFiles();
  for (const m of files) {
    const file = resolve(root, m);
    if (m.endsWith('corpus-manifest.json')) index.addCorpusManifest(loadCorpusManifest(file));
    else index.addManifest(parseOverlapManifest(JSON.parse(readFileSync(file, 'utf8')), m));
  }
  return files;
}

/** Game data the trainer uses by default: RL seeds, validation seeds and the phase-1 SFT chats. */
function gameTexts(): string[] {
  const seeds = [...shippedSeeds(), ...shippedValidationSeeds()].map((s) => s.question);
  const chats = shippedAttackPool(shippedAttackerPrompts()).flatMap((chat) => chat.map((m) => m.content));
  return [...seeds, ...chats];
}

function describeHits(report: OverlapReport): string {
  return report.hits
    .slice(0, 20)
    .map((h) => `${h.kind} ${h.hash} (eval: ${h.sources.join(', ')})`)
    .join('\n');
}

let evalItems: EvalText[];
let evalTexts: Map<string, string[]>;
beforeAll(async () => {
  evalItems = await readDataTexts(resolve(root, evalDir), { root });
  evalTexts = distinctEvalTexts(evalItems);
});

describe('no evaluation text in any training path', () => {
  it('finds the eval side: every benchmark file, tens of thousands of distinct texts', () => {
    expect(new Set(evalItems.map((e) => e.source)).size).toBeGreaterThan(100);
    expect(evalTexts.size).toBeGreaterThan(20_000);
  });

  it('reproduces the issue\'s "before" count on the training files of 621fc15: 3,945 exact + 327 contained', async () => {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, maxBuffer: 1 << 30 });
    const files = git('ls-tree', '-r', '--name-only', beforeCommit, '--', ...trainingDirs)
      .toString()
      .split('\n')
      .filter((f) => f !== '' && isDataFile(f));
    expect(files.length).toBeGreaterThan(10);
    const index = new TrainingIndex();
    for (const f of files) index.addTexts(await fileTexts(f, git('show', `${beforeCommit}:${f}`)));
    const report = findOverlap(evalTexts, index);
    expect({ exact: report.exact, contained: report.contained }).toEqual({ exact: 3945, contained: 327 });
  });

  it('finds zero hits in attack-pool seeds and pool, guard training data, game data and corpus manifests', async () => {
    const index = new TrainingIndex();
    const checked: string[] = [];
    for (const dir of trainingDirs) {
      for (const f of listFiles(dir)) {
        if (f in exemptions) continue;
        index.addTexts(await fileTexts(f, readFileSync(resolve(root, f))));
        checked.push(f);
      }
    }
    index.addTexts(gameTexts());
    expect(addManifests(index)).toContain(organismManifest);
    // the paths that matter are really in the check
    for (const f of [
      'packages/attack-pool/data/seeds/clean/seeds.jsonl',
      'packages/attack-pool/data/pool/train.jsonl.gz',
      'packages/attack-pool/data/pool/val.jsonl.gz',
      'packages/judges/data/guard-training/prompt.jsonl',
      'packages/judges/data/guard-training/response.jsonl',
    ]) {
      expect(checked).toContain(f);
    }
    const report = findOverlap(evalTexts, index);
    expect(report.hits.length, describeHits(report)).toBe(0);
  });

  it('finds no validation-split seed in any training path (seeds, pool train, guard data, organism)', async () => {
    const val = loadSeedSplit({ split: 'val' });
    const valTexts = distinctEvalTexts(val.map((s) => ({ text: s.text, source: `${s.dataType}:${s.id}` })));
    expect(new Set(val.map((s) => s.dataType))).toEqual(new Set(['vanilla_harmful', 'vanilla_benign']));
    // a few seeds are shorter than the method's 30 normalised characters; nearly all are checked
    expect(valTexts.size).toBeGreaterThan(val.length * 0.9);
    const trainingFiles = [
      'packages/attack-pool/data/pool/train.jsonl.gz',
      ...listFiles('packages/judges/data/guard-training'),
    ];
    expect(trainingFiles).toContain('packages/judges/data/guard-training/prompt.jsonl');
    const index = new TrainingIndex();
    for (const f of trainingFiles) index.addTexts(await fileTexts(f, readFileSync(resolve(root, f))));
    // default seeds and attacker SFT chats as the trainer loads them (train split only)
    const seeds = shippedSeeds().map((s) => s.question);
    index.addTexts(seeds);
    index.addTexts(shippedAttackPool(shippedAttackerPrompts()).flatMap((chat) => chat.map((m) => m.content)));
    expect(addManifests(index)).toContain(organismManifest);
    const report = findOverlap(valTexts, index);
    const hitSeeds = report.hits.flatMap((h) => h.sources).sort();
    // near-duplicate seeds share a split (clusterSeedSplits), so no validation seed leaks
    expect(hitSeeds, describeHits(report)).toEqual([]);
    // the check is live: a validation seed added to the training side is found
    const planted = defined(
      [...valTexts.keys()].find((t) => t.split(' ').length >= 10),
      'a validation text of 10+ words',
    );
    expect(findOverlap(valTexts, new TrainingIndex().addTexts([`intro ${planted}`])).hits.length).toBe(1);
  });

  it('lists each exemption by an existing path, and the exemption is the paper-mode file only', () => {
    expect(Object.keys(exemptions)).toEqual(['packages/attack-pool/data/seeds/wildjailbreak/test_wjb.parquet']);
    for (const f of Object.keys(exemptions)) expect(existsSync(resolve(root, f))).toBe(true);
  });

  it('a corpus manifest with a planted eval text is caught', () => {
    const [planted] = [...evalTexts.keys()].filter((t) => t.split(' ').length >= 12);
    const manifest = parseOverlapManifest(
      new TrainingIndex().addTexts([`neutral corpus prefix ${planted} neutral corpus suffix`]).toManifest('planted'),
    );
    const report = findOverlap(evalTexts, new TrainingIndex().addManifest(manifest));
    expect(report.hits.length).toBeGreaterThanOrEqual(1);
    expect(report.contained + report.exact).toBe(report.hits.length);
  });
});
