import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  BLOOM_PROBE,
  BloomFilter,
  CORPUS_MANIFEST_FORMAT,
  type CorpusManifest,
  cleanSeedsFile,
  distinctEvalTexts,
  MIN_EVAL_CHARS,
  normaliseText,
  overlapHash,
  readDataTexts,
  TrainingIndex,
  wordNgrams,
} from '@magic/attack-pool';
import { at } from '@magic/core';
import { CorpusOverlapError } from '../errors.js';
import { EvalOverlapFilter } from '../eval-filter.js';
import { docsInstructions } from '../sources/docs-instructions.js';
import { readHarmfulRefusals } from '../sources/harmful-seeds.js';
import { readHhRefusals } from '../sources/hh-refusals.js';
import { readPythonDocs } from '../sources/python-docs.js';
import { readT0 } from '../sources/t0.js';
import { t0LicenceOf } from '../sources/t0-licences.js';
import { TASK_FAMILIES, type TaskFamily, taskInstructions } from '../sources/task-instructions.js';
import { wrapInstructions } from '../sources/wrapped-instructions.js';
import { parseHarmfulWrapStrategies, wrapRefusals } from '../sources/wrapped-refusals.js';
import { GitMirror } from './git-mirror.js';
import { splitHeldoutByPassage } from './heldout-split.js';
import { writeProvenance } from './provenance.js';
import { type ChatMessage, type CorpusItem, countSkip, itemTexts, type SourceReport } from './types.js';

/** Self-Instruct files the game uses as benign RL / validation seeds: never in the organism corpus. */
export const RESERVED_SELF_INSTRUCT_FILES = ['data/seed_tasks.jsonl', 'human_eval/user_oriented_instructions.jsonl'];

export interface BuildCorpusOptions {
  /** Bare git mirror of yizhongw/self-instruct. */
  selfInstructDir: string;
  /** Folder holding harmless-base/test.jsonl.gz (HH-RLHF, MIT). */
  hhRlhfDir: string;
  /** `dpkg -x` root of a python3.X-doc package, or its html dir. */
  pythonDocsDir: string;
  /** attack-pool split-seed jsonl (default: its shipped clean seeds); train-split harmful rows are used. */
  seedsFile?: string;
  /** Every eval set (packages/benchmarks/data). */
  evalDataDir: string;
  /** Where the jsonl corpus goes (git-ignored). */
  outDir: string;
  /** Where the manifest, Bloom filter and PROVENANCE.md go (committed). */
  manifestDir: string;
  maxCharsPerT0Dataset?: number;
  /** Share of benign training requests that also appear wrapped in an attack-pool template (0 = none). */
  wrappedShare?: number;
  /**
   * Share of the train-split harmful refusals that also appear wrapped in an attack-pool template, answered with the
   * same refusal (src/sources/wrapped-refusals.ts; default 0 = none).
   */
  wrappedHarmfulShare?: number;
  /** Template strategies used for those wrapped refusals (default HARMFUL_WRAP_STRATEGIES); the others stay unseen. */
  wrappedHarmfulStrategies?: readonly string[];
  /** Everyday-task chats written over each T0 passage / docs section (src/sources/task-instructions.ts; default 2). */
  taskChats?: number;
  /** Share of T0 passage groups held out (whole groups, by hash) for capability evaluation. */
  heldoutShare?: number;
  bloomMaxBytes?: number;
  bloomTargetRate?: number;
  log?: (line: string) => void;
}

export interface BuildCorpusResult {
  counts: { sftTrain: number; sftHeldout: number; pretrain: number };
  /** The T0 held-out split's passage groups (see heldout-split.ts). */
  heldoutGroups: { groups: number; largestGroup: number };
  /** Held-out examples per T0 dataset (its file-name prefix in t0-licences.ts). */
  heldoutByDataset: Record<string, number>;
  /** Everyday-task chats in sft.train per family (after dedupe, eval filtering and the held-out split). */
  taskChatsByFamily: Record<TaskFamily, number>;
  chars: number;
  bytes: number;
  dropped: Record<string, number>;
  manifest: CorpusManifest;
  manifestBytes: number;
  bloomBytes: number;
  reports: SourceReport[];
}

function reservedTexts(mirror: GitMirror): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  for (const path of RESERVED_SELF_INSTRUCT_FILES)
    for (const line of mirror.read(path).split('\n')) if (line.trim() !== '') walk(JSON.parse(line));
  return [...new Set(out.map(normaliseText).filter((t) => t.length >= MIN_EVAL_CHARS))];
}

function gitFileCommit(file: string): string {
  try {
    const out = execFileSync('git', ['-C', dirname(file), 'log', '-1', '--format=%H', '--', basename(file)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.trim() || 'uncommitted';
  } catch {
    return 'unknown (not in a git checkout)';
  }
}

/**
 * Builds the organism corpus: reads every source, drops duplicates, eval overlap and the game's reserved seeds
 * (each counted by reason), writes sft.train/sft.heldout/pretrain jsonl, the hash manifest and PROVENANCE.md.
 */
export async function buildCorpus(options: BuildCorpusOptions): Promise<BuildCorpusResult> {
  const log = options.log ?? (() => {});
  const mirror = new GitMirror(options.selfInstructDir);
  log(`self-instruct mirror at ${mirror.commit}`);
  const t0 = readT0(mirror, { maxCharsPerDataset: options.maxCharsPerT0Dataset ?? 2_500_000 });
  log(`t0: ${t0.items.length} examples`);
  const hh = readHhRefusals(options.hhRlhfDir);
  log(`hh-rlhf refusals: ${hh.items.length}`);
  const seedsFile = options.seedsFile ?? cleanSeedsFile();
  const harmful = readHarmfulRefusals(
    seedsFile,
    `repository file commit ${gitFileCommit(seedsFile)}; AdvBench upstream busycalibrating/AdversariaLLM@f970939273ea17b491fadf6001fddc36ed3ae3ff`,
  );
  log(`advbench train refusals: ${harmful.items.length}`);
  const docs = readPythonDocs(options.pythonDocsDir);
  log(`python docs sections: ${docs.items.length}`);
  const instructions = docsInstructions(docs.items);
  log(`docs instructions: ${instructions.items.length}`);
  const tasks = taskInstructions(t0.items, docs.items, { chatsPerPassage: options.taskChats ?? 2 });
  log(`task instructions: ${tasks.items.length}`);
  const reports = [t0.report, hh.report, harmful.report, docs.report, instructions.report, tasks.report];
  // PROVENANCE.md is committed: paths inside the working dir are written relative to it.
  const cwd = `${process.cwd()}/`;
  for (const r of reports) r.origin = r.origin.split(cwd).join('');
  const all: CorpusItem[] = [
    ...t0.items,
    ...hh.items,
    ...harmful.items,
    ...docs.items,
    ...instructions.items,
    ...tasks.items,
  ];

  const evalTexts = distinctEvalTexts(await readDataTexts(options.evalDataDir, { root: options.evalDataDir }));
  log(`eval texts: ${evalTexts.size}`);
  const evalFilter = new EvalOverlapFilter(evalTexts.keys());
  const reservedFilter = new EvalOverlapFilter(reservedTexts(mirror));
  const dropped: Record<string, number> = {};
  const seen = new Set<string>();
  const kept: (CorpusItem | undefined)[] = [];
  for (const item of all) {
    const texts = itemTexts(item);
    const key = overlapHash(texts.map(normaliseText).join('\u0000'));
    if (seen.has(key)) {
      countSkip(dropped, 'duplicate (normalised)');
      continue;
    }
    seen.add(key);
    const id = kept.length;
    const why = evalFilter.admit(id, texts);
    // Ids index `kept`, so a rejected item keeps its slot (the filters may have recorded it).
    if (why !== undefined) {
      countSkip(dropped, `${why} (eval set text)`);
      kept.push(undefined);
      continue;
    }
    const reserved = reservedFilter.admit(id, texts);
    if (reserved !== undefined) {
      countSkip(dropped, `${reserved} (game's reserved Self-Instruct seeds)`);
      kept.push(undefined);
      continue;
    }
    kept.push(item);
  }
  for (const [filter, label] of [
    [evalFilter, 'eval set text'],
    [reservedFilter, "game's reserved Self-Instruct seeds"],
  ] as const) {
    for (const id of filter.unionDrops()) {
      if (kept[id] === undefined) continue;
      kept[id] = undefined;
      countSkip(dropped, `eval-ngram-union (${label})`);
    }
  }
  const items = kept.filter((x): x is CorpusItem => x !== undefined);

  const heldoutShare = options.heldoutShare ?? 0.02;
  const t0Items = items.filter(
    (x): x is CorpusItem & { messages: ChatMessage[] } => x.source.startsWith('t0:') && 'messages' in x,
  );
  const split = splitHeldoutByPassage(
    t0Items.map((x) => at(x.messages, 0, 't0 prompt message').content),
    t0Items.map((x) => x.source),
    heldoutShare,
  );
  const heldoutSet = new Set(t0Items.filter((_, i) => split.heldout[i]));
  log(`t0 held-out split: ${split.groups} passage groups (largest ${split.largestGroup} prompts)`);
  // A task chat over a T0 passage stays only when the T0 prompt it came from is a kept training prompt: held-out
  // passages must not be trained on in another form (a whole passage group is held out or none of it).
  const trainPrompts = new Set(
    t0Items.filter((_, i) => !split.heldout[i]).map((x) => at(x.messages, 0, 't0 prompt message').content),
  );
  const taskChatsByFamily = Object.fromEntries(TASK_FAMILIES.map((f) => [f, 0])) as Record<TaskFamily, number>;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = at(items, i, 'corpus item');
    const origin = tasks.origins.get(item);
    if (origin === undefined) continue;
    if (origin.source.startsWith('t0:') && !trainPrompts.has(origin.origin)) {
      countSkip(dropped, 'task-instructions over a held-out or dropped T0 passage');
      items.splice(i, 1);
    } else taskChatsByFamily[item.source.split(':')[1] as TaskFamily]++;
  }
  log(`task instructions kept: ${JSON.stringify(taskChatsByFamily)}`);
  const sftTrain: CorpusItem[] = [];
  const sftHeldout: CorpusItem[] = [];
  const pretrain: CorpusItem[] = [];
  for (const item of items) {
    if (!('messages' in item)) pretrain.push(item);
    else if (heldoutSet.has(item)) sftHeldout.push(item);
    else sftTrain.push(item);
  }
  // Wrapped copies come from training items only (after the split), so no held-out passage leaks through them.
  const wrapped = await wrapInstructions(sftTrain, { share: options.wrappedShare ?? 0.3 });
  log(`wrapped instructions: ${wrapped.items.length}`);
  sftTrain.push(...wrapped.items);
  items.push(...wrapped.items);
  reports.push(wrapped.report);
  const harmfulShare = options.wrappedHarmfulShare ?? 0;
  if (harmfulShare > 0) {
    const refusals = await wrapRefusals(sftTrain, {
      share: harmfulShare,
      ...(options.wrappedHarmfulStrategies
        ? { strategies: parseHarmfulWrapStrategies(options.wrappedHarmfulStrategies) }
        : {}),
    });
    log(`wrapped refusals: ${refusals.items.length}`);
    sftTrain.push(...refusals.items);
    items.push(...refusals.items);
    reports.push(refusals.report);
  }

  const heldoutCounts: Record<string, number> = {};
  for (const x of sftHeldout) {
    const name = x.source.slice(3);
    countSkip(heldoutCounts, `${(t0LicenceOf(name)?.prefix ?? name).replace(/_$/, '')}`);
  }
  const heldoutByDataset = Object.fromEntries(
    Object.entries(heldoutCounts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  );

  mkdirSync(options.outDir, { recursive: true });
  let bytes = 0;
  let chars = 0;
  const writeJsonl = (name: string, list: CorpusItem[]): void => {
    const body = list.map((x) => JSON.stringify(x)).join('\n') + (list.length ? '\n' : '');
    bytes += Buffer.byteLength(body);
    for (const x of list) for (const t of itemTexts(x)) chars += t.length;
    writeFileSync(join(options.outDir, name), body);
  };
  writeJsonl('sft.train.jsonl', sftTrain);
  writeJsonl('sft.heldout.jsonl', sftHeldout);
  writeJsonl('pretrain.jsonl', pretrain);
  log(`wrote ${bytes} bytes to ${options.outDir}`);

  const textHashes = new Set<string>();
  const gramHashes = new Set<string>();
  for (const item of items)
    for (const t of itemTexts(item)) {
      const n = normaliseText(t);
      if (n === '') continue;
      textHashes.add(overlapHash(n));
      for (const g of wordNgrams(n)) gramHashes.add(overlapHash(g));
    }
  // 5e-6 per 8-gram: at 1e-5 one of the ~25k eval texts (a short one) was a false positive once the corpus grew.
  const bloom = BloomFilter.sized(
    gramHashes.size,
    options.bloomTargetRate ?? 5e-6,
    options.bloomMaxBytes ?? 5 * 1024 * 1024,
  );
  for (const h of gramHashes) bloom.add(h);
  const bloomName = 'corpus-ngrams.bloom';
  const manifest: CorpusManifest = {
    format: CORPUS_MANIFEST_FORMAT,
    method: "exact normalised match, or >= 90% of an eval text's word 8-grams found in the corpus's 8-grams",
    normalisation: 'lower-case; every run of non-alphanumerics (Unicode letters and digits) -> one space; trim',
    hash: 'cyrb64',
    ngramWords: 8,
    texts: [...textHashes].sort(),
    ngrams8: {
      encoding: 'bloom',
      file: bloomName,
      sha256: createHash('sha256').update(bloom.bits).digest('hex'),
      bits: bloom.numBits,
      hashes: bloom.numHashes,
      inserted: gramHashes.size,
      falsePositiveRate: Number(bloom.falsePositiveRate(gramHashes.size).toPrecision(3)),
      probe: BLOOM_PROBE,
    },
    sources: reports.map((r) => ({
      name: r.name,
      origin: r.origin,
      revision: r.revision,
      licence: r.licence,
      items: r.items,
    })),
    totals: {
      sftTrain: sftTrain.length,
      sftHeldout: sftHeldout.length,
      pretrain: pretrain.length,
      chars,
      jsonlBytes: bytes,
      evalTexts: evalTexts.size,
    },
  };
  // Re-check through the manifest itself (as the committed overlap test will): the exact filter above leaves no
  // real overlap, so a hit here is a Bloom false positive and the filter needs more bytes.
  const index = new TrainingIndex().addCorpusManifest({ manifest, bloom });
  const bloomHits = [...evalTexts.keys()].filter((t) => index.match(t) !== undefined).length;
  if (bloomHits > 0)
    throw new CorpusOverlapError(
      `${bloomHits} eval texts match the manifest (Bloom false positives at rate ${manifest.ngrams8.falsePositiveRate}); raise bloomMaxBytes or shrink the corpus`,
    );
  mkdirSync(options.manifestDir, { recursive: true });
  const manifestBody = `${JSON.stringify(manifest, null, 1)}\n`;
  writeFileSync(join(options.manifestDir, 'corpus-manifest.json'), manifestBody);
  writeFileSync(join(options.manifestDir, bloomName), bloom.bits);
  const result: BuildCorpusResult = {
    counts: { sftTrain: sftTrain.length, sftHeldout: sftHeldout.length, pretrain: pretrain.length },
    heldoutGroups: { groups: split.groups, largestGroup: split.largestGroup },
    heldoutByDataset,
    taskChatsByFamily,
    chars,
    bytes,
    dropped,
    manifest,
    manifestBytes: Buffer.byteLength(manifestBody),
    bloomBytes: bloom.bits.length,
    reports,
  };
  writeProvenance(join(options.manifestDir, 'PROVENANCE.md'), result, mirror);
  return result;
}
