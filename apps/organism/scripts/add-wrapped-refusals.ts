// Adds wrapped refusals (src/sources/wrapped-refusals.ts) to an already built corpus, so an SFT variant differs from
// the corpus it was built on by that source alone. The new chats are checked against every eval text as the builder
// checks its own (exact and 8-gram); a hit stops the script. With --replay N it writes a continued-SFT mix instead:
// every new wrapped refusal plus N training chats of the corpus drawn by hash (a CPU-sized SFT on top of a model
// already trained on the corpus).
//   npx tsx apps/organism/scripts/add-wrapped-refusals.ts CORPUS_DIR OUT_DIR [--share X] [--strategies A,B] [--replay N]
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { distinctEvalTexts, readDataTexts } from '@magic/attack-pool';
import { type CorpusItem, itemTexts } from '../src/corpus/types.js';
import { EvalOverlapFilter } from '../src/eval-filter.js';
import { wrapUnit } from '../src/sources/wrapped-instructions.js';
import { parseHarmfulWrapStrategies, wrapRefusals } from '../src/sources/wrapped-refusals.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    share: { type: 'string', default: '1' },
    strategies: { type: 'string' },
    replay: { type: 'string' },
    'eval-data': { type: 'string', default: 'packages/benchmarks/data' },
  },
});
const [corpusDir, outDir] = positionals;
if (corpusDir === undefined || outDir === undefined)
  throw new Error('usage: add-wrapped-refusals.ts CORPUS_DIR OUT_DIR [--share X] [--strategies A,B] [--replay N]');
const read = (name: string): CorpusItem[] =>
  readFileSync(join(corpusDir, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusItem);
const train = read('sft.train.jsonl');
const { items: added, report } = await wrapRefusals(train, {
  share: Number(values.share),
  ...(values.strategies ? { strategies: parseHarmfulWrapStrategies(values.strategies.split(',')) } : {}),
});
const evalDir = values['eval-data'];
const evalTexts = distinctEvalTexts(await readDataTexts(evalDir, { root: evalDir }));
if (evalTexts.size === 0) throw new Error(`no eval texts under ${evalDir}`);
const filter = new EvalOverlapFilter(evalTexts.keys());
added.forEach((item, i) => {
  const why = filter.admit(i, itemTexts(item));
  if (why !== undefined) throw new Error(`wrapped refusal ${i} overlaps an eval text (${why})`);
});
if (filter.unionDrops().size > 0) throw new Error('wrapped refusals overlap an eval text (8-gram union)');
mkdirSync(outDir, { recursive: true });
const replay = values.replay === undefined ? undefined : Number(values.replay);
const kept =
  replay === undefined
    ? train
    : [...train]
        .map((x, i) => ({ x, k: wrapUnit(`replay\u0000${i}`) }))
        .sort((a, b) => a.k - b.k)
        .slice(0, replay)
        .map((e) => e.x);
const out = [...kept, ...added];
writeFileSync(join(outDir, 'sft.train.jsonl'), `${out.map((x) => JSON.stringify(x)).join('\n')}\n`);
for (const name of ['sft.heldout.jsonl', 'pretrain.jsonl'])
  if (existsSync(join(corpusDir, name))) copyFileSync(join(corpusDir, name), join(outDir, name));
writeFileSync(join(outDir, 'wrapped-refusals.report.json'), `${JSON.stringify(report, null, 1)}\n`);
console.log(
  `${added.length} wrapped refusals (${JSON.stringify(report.skipped)}; no overlap with ${evalTexts.size} eval texts), ${kept.length} corpus chats -> ${outDir}/sft.train.jsonl (${out.length})`,
);
