import { execFileSync } from 'node:child_process';
import { extractTexts, isDataFile, findOverlap, TrainingIndex, type EvalText } from './packages/attack-pool/src/overlap/index.js';

const rev = process.argv[2] ?? '621fc15';
const git = (...a: string[]) => execFileSync('git', a, { maxBuffer: 1 << 30 });
const ls = (dir: string) => git('ls-tree', '-r', '--name-only', rev, dir).toString().split('\n').filter((f) => f && isDataFile(f));
async function texts(files: string[]) {
  const out: EvalText[] = [];
  for (const f of files) for (const t of await extractTexts(f, git('show', `${rev}:${f}`))) out.push({ text: t, source: f });
  return out;
}
const evalItems = await texts(ls('packages/benchmarks/data'));
const trainDirs = process.argv.slice(3).length ? process.argv.slice(3) : ['packages/attack-pool/data', 'packages/judges/data/guard-training'];
const trainFiles = trainDirs.flatMap(ls).filter((f) => !f.includes('/fixtures/'));
console.log('train files', trainFiles.length);
const idx = new TrainingIndex();
for (const t of await texts(trainFiles)) idx.addText(t.text);
console.log(idx.size);
const r = findOverlap(evalItems, idx);
console.log({ evalTexts: r.evalTexts, exact: r.exact, contained: r.contained, total: r.hits.length });
const bySrc = new Map<string, number>();
for (const h of r.hits) for (const s of h.sources) bySrc.set(s, (bySrc.get(s) ?? 0) + 1);
console.log(bySrc);
