// Builds data/seeds/clean/seeds.jsonl: AdvBench (harmful) and Self-Instruct human-written tasks (benign),
// minus every seed that hits eval text in packages/benchmarks/data, split train/val by near-duplicate cluster.
// Run from packages/attack-pool: `npm run build:seeds`. Prints counts only (no dataset text).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { at } from '@magic/core';
import {
  distinctEvalTexts,
  dropEvalOverlap,
  loadAdvBenchCsv,
  loadSelfInstructJsonl,
  nearDuplicateClusters,
  normaliseText,
  readDataTexts,
  type SeedRecord,
  seedSplitsByType,
} from '../src/index.js';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const evalDir = resolve(pkg, process.argv[2] ?? '../benchmarks/data');
const data = (p: string) => resolve(pkg, 'data', p);

/** Longer seeds (tasks with long pasted inputs) are left out so every attacker prompt fits the tiny preset's 1,024 tokens. */
const MAX_SEED_CHARS = 400;

const allSources: SeedRecord[] = [
  ...loadAdvBenchCsv(data('seeds/advbench/advbench_behaviors.csv')),
  ...loadSelfInstructJsonl(data('seeds/self-instruct/seed_tasks.jsonl')),
  ...loadSelfInstructJsonl(data('seeds/self-instruct/user_oriented_instructions.jsonl')),
];
const sources = allSources.filter((s) => s.text.length <= MAX_SEED_CHARS);

// Drop every seed that hits eval text in either direction, the overlap test's method (see dropEvalOverlap).
const evalTexts = distinctEvalTexts(await readDataTexts(evalDir, { root: resolve(pkg, '../..') }));
const filtered = dropEvalOverlap(dedupByText(sources), (s) => [s.text], evalTexts);
const kept = filtered.kept;
const excluded = filtered.dropped.map(({ item, reason }) => ({ id: item.id, reason }));

function dedupByText(seeds: SeedRecord[]): SeedRecord[] {
  const seen = new Set<string>();
  return seeds.filter((s) => {
    const key = normaliseText(s.text);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
const duplicates = sources.length - dedupByText(sources).length;

// near-duplicates (templated AdvBench rows) share a split, so no validation seed has a near-copy in training;
// each data type has its own validation share (VAL_SEED_SHARES)
const splits = seedSplitsByType(kept);
const rows = kept.map((s, i) => ({ ...s, split: at(splits, i, 'splits') }));
const clusterSizes = nearDuplicateClusters(kept.map((s) => s.text)).map((c) => c.length);
mkdirSync(data('seeds/clean'), { recursive: true });
writeFileSync(data('seeds/clean/seeds.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
const count = (split: string, dataType: string) =>
  rows.filter((r) => r.split === split && r.dataType === dataType).length;
const stats = {
  sourcesIn: allSources.length,
  overMaxChars: allSources.length - sources.length,
  excludedForEvalOverlap: excluded,
  duplicateTexts: duplicates,
  kept: rows.length,
  nearDuplicateClusters: {
    multiMember: clusterSizes.filter((n) => n > 1).length,
    seedsInThem: clusterSizes.filter((n) => n > 1).reduce((a, b) => a + b, 0),
    largest: Math.max(...clusterSizes),
  },
  bySplit: {
    train: { vanilla_harmful: count('train', 'vanilla_harmful'), vanilla_benign: count('train', 'vanilla_benign') },
    val: { vanilla_harmful: count('val', 'vanilla_harmful'), vanilla_benign: count('val', 'vanilla_benign') },
  },
};
writeFileSync(data('seeds/clean/stats.json'), `${JSON.stringify(stats, null, 2)}\n`);
console.log(JSON.stringify({ ...stats, excludedForEvalOverlap: excluded.length }, null, 2));
