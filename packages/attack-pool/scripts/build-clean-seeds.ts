// Builds data/seeds/clean/seeds.jsonl: AdvBench (harmful) and Self-Instruct human-written tasks (benign),
// minus every seed that hits eval text in packages/benchmarks/data, split train/val by text hash.
// Run from packages/attack-pool: `npm run build:seeds`. Prints counts only (no dataset text).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  distinctEvalTexts,
  loadAdvBenchCsv,
  loadSelfInstructJsonl,
  normaliseText,
  type OverlapKind,
  readDataTexts,
  type SeedRecord,
  seedSplitOf,
  TrainingIndex,
  wordNgrams,
} from '../src/index.js';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const evalDir = resolve(pkg, process.argv[2] ?? '../benchmarks/data');
const data = (p: string) => resolve(pkg, 'data', p);

const sources: SeedRecord[] = [
  ...loadAdvBenchCsv(data('seeds/advbench/advbench_behaviors.csv')),
  ...loadSelfInstructJsonl(data('seeds/self-instruct/seed_tasks.jsonl')),
  ...loadSelfInstructJsonl(data('seeds/self-instruct/user_oriented_instructions.jsonl')),
];

// Drop every seed that an eval text hits (exact, or a share of its 8-grams), the overlap test's method:
// index all candidates, attribute each hit to the seeds it matches or shares an 8-gram with, repeat.
const evalTexts = distinctEvalTexts(await readDataTexts(evalDir, { root: resolve(pkg, '../..') }));
const excluded: { id: string; kind: OverlapKind | 'seed-in-eval' }[] = [];
// The other direction too: a seed whose own text occurs in eval text (how the issue counted AdvBench's 11).
const evalIndex = new TrainingIndex().addTexts(evalTexts.keys());
let candidates = dedupByText(sources).filter((s) => {
  const inEval = evalIndex.match(normaliseText(s.text)) !== undefined;
  if (inEval) excluded.push({ id: s.id, kind: 'seed-in-eval' });
  return !inEval;
});
for (;;) {
  const index = new TrainingIndex().addTexts(candidates.map((s) => s.text));
  const drop = new Map<string, OverlapKind>();
  for (const normalised of evalTexts.keys()) {
    const hit = index.match(normalised);
    if (!hit) continue;
    // Seeds that hit on their own; only when none does (a hit made of several seeds) all sharers go.
    const alone = candidates.filter((s) => new TrainingIndex().addTexts([s.text]).match(normalised));
    const grams = new Set(wordNgrams(normalised));
    const sharers = candidates.filter((s) => wordNgrams(normaliseText(s.text)).some((g) => grams.has(g)));
    for (const s of alone.length > 0 ? alone : sharers) drop.set(s.id, hit.kind);
  }
  if (drop.size === 0) break;
  for (const [id, kind] of drop) excluded.push({ id, kind });
  candidates = candidates.filter((s) => !drop.has(s.id));
}
const kept = candidates;

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

const rows = kept.map((s) => ({ ...s, split: seedSplitOf(s.text) }));
mkdirSync(data('seeds/clean'), { recursive: true });
writeFileSync(data('seeds/clean/seeds.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
const count = (split: string, dataType: string) =>
  rows.filter((r) => r.split === split && r.dataType === dataType).length;
const stats = {
  sourcesIn: sources.length,
  excludedForEvalOverlap: excluded,
  duplicateTexts: duplicates,
  kept: rows.length,
  bySplit: {
    train: { vanilla_harmful: count('train', 'vanilla_harmful'), vanilla_benign: count('train', 'vanilla_benign') },
    val: { vanilla_harmful: count('val', 'vanilla_harmful'), vanilla_benign: count('val', 'vanilla_benign') },
  },
};
writeFileSync(data('seeds/clean/stats.json'), `${JSON.stringify(stats, null, 2)}\n`);
console.log(JSON.stringify({ ...stats, excludedForEvalOverlap: excluded.length }, null, 2));
