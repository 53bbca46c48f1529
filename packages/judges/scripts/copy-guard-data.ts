/**
 * Builds the local guard's training data, packages/judges/data/guard-training/*.jsonl, from clean sources only:
 * the TRAIN split of @magic/attack-pool's clean seeds (AdvBench harmful, Self-Instruct benign), template rewrites
 * of those seeds from the shipped pool's train split, Self-Instruct reference outputs, refusals and compliance
 * openers written from fixed neutral templates, and refusal turns of HH-RLHF harmless-base. Every row whose text
 * or prompt hits eval text (packages/benchmarks/data, the overlap test's method) is dropped.
 *   npx tsx --tsconfig tsconfig.json packages/judges/scripts/copy-guard-data.ts [--shared /work/shared/datasets]
 * Deterministic. Prints counts only, never rows.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  dataDir,
  distinctEvalTexts,
  dropEvalOverlap,
  getStrategy,
  isStrategyId,
  loadAttackPool,
  loadSeedSplit,
  loadSelfInstructJsonl,
  readDataTexts,
  type SplitSeedRecord,
} from '@magic/attack-pool';
import { at } from '@magic/core';
import type { GuardExample } from '../src/local/dataset.js';
import { isRefusal } from '../src/refusal-rules.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const shared = sharedDir(process.argv);
const outDir = resolve(here, '..', 'data', 'guard-training');
const maxChars = 1000;
const clip = (t: string) => t.trim().slice(0, maxChars);
const norm = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').trim();

function sharedDir(argv: readonly string[]): string {
  const flag = argv.indexOf('--shared');
  if (flag < 0) return '/work/shared/datasets';
  const dir = argv[flag + 1];
  if (dir === undefined) throw new Error('--shared needs a folder');
  return dir;
}

/** FNV-1a, for deterministic picks that do not depend on row order. */
function pick(key: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h % n;
}

/** One of `items`, picked by `key`'s hash. */
function choose<T>(key: string, items: readonly T[]): T {
  return at(items, pick(key, items.length), 'choices');
}

/** Neutral refusal styles (written for this project). */
const refusalStyles = [
  "I'm sorry, but I can't help with that.",
  "I can't assist with that request.",
  "I'm not able to help with this. If you have another question, I'm happy to help.",
  "Sorry, I won't provide that. Is there something else I can do for you?",
  'I cannot help with that, because it could cause harm. I would be glad to help with a related, safe topic instead.',
  'As an AI assistant, I must decline this request.',
  "I apologize, but I can't provide help with this.",
  "I'm unable to help with that request.",
];

/** Compliance openers (written for this project): they restate the request and stop; no answer content. */
const complianceOpeners = [
  (request: string) => `Sure, here is a response to your request: ${request}\n\n1.`,
  (request: string) => `Of course. Below is what you asked for (${request}).\n\nStep 1:`,
  (request: string) => `Certainly! Here's how to approach this: ${request}\n\nFirst,`,
];

const trainSeeds = loadSeedSplit({ split: 'train' });
const seedById = new Map(trainSeeds.map((s) => [s.id, s]));
const group = (s: SplitSeedRecord) => `seed:${s.id}`;

/** Strategies whose rewrites stay readable English text (encodings are opaque to an n-gram model). */
const readable = (strategy: string) => isStrategyId(strategy) && getStrategy(strategy).family !== 'encoding';

function promptExamples(): GuardExample[] {
  const out: GuardExample[] = [];
  for (const s of trainSeeds) {
    out.push({
      task: 'prompt',
      text: clip(s.text),
      label: s.dataType === 'vanilla_harmful' ? 1 : 0,
      source: `${s.source}-train`,
      group: group(s),
    });
  }
  // Self-Instruct tasks too long to be seeds (long pasted inputs) are still clean benign requests.
  const seedIds = new Set(loadSeedSplit().map((s) => s.id));
  for (const file of ['seed_tasks.jsonl', 'user_oriented_instructions.jsonl']) {
    for (const s of loadSelfInstructJsonl(dataDir('seeds', 'self-instruct', file))) {
      if (!seedIds.has(s.id))
        out.push({ task: 'prompt', text: clip(s.text), label: 0, source: 'self-instruct-long', group: `seed:${s.id}` });
    }
  }
  // Two readable template rewrites per train seed, harmful and benign alike, so wrappers carry no label.
  const bySeed = new Map<SplitSeedRecord, { strategy: string; adversarial: string }[]>();
  for (const r of loadAttackPool({ split: 'train' })) {
    const s = seedById.get(r.seedId);
    if (!readable(r.strategy) || s === undefined) continue;
    const list = bySeed.get(s) ?? [];
    list.push({ strategy: r.strategy, adversarial: r.adversarial });
    bySeed.set(s, list);
  }
  for (const [s, rewrites] of bySeed) {
    const seedId = s.id;
    rewrites.sort((a, b) => a.strategy.localeCompare(b.strategy));
    const first = pick(`${seedId}:a`, rewrites.length);
    const second = (first + 1 + pick(`${seedId}:b`, rewrites.length - 1)) % rewrites.length;
    for (const i of [first, second]) {
      out.push({
        task: 'prompt',
        text: clip(at(rewrites, i, 'rewrites of the seed').adversarial),
        label: s.dataType === 'vanilla_harmful' ? 1 : 0,
        source: `pool-train-${s.dataType === 'vanilla_harmful' ? 'harmful' : 'benign'}`,
        group: group(s),
      });
    }
  }
  return out;
}

function selfInstructOutputs(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of ['seed_tasks.jsonl', 'user_oriented_instructions.jsonl']) {
    for (const line of readFileSync(dataDir('seeds', 'self-instruct', file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as { id: string; instances: { output: string }[] };
      const output = row.instances[0]?.output.trim();
      if (output) out.set(`self-instruct:${row.id}`, output);
    }
  }
  return out;
}

/** Assistant turns of HH-RLHF harmless-base test that match the refusal rules (a label we can defend). */
function hhRefusals(): { prompt: string; text: string; index: number }[] {
  const text = gunzipSync(readFileSync(join(shared, 'hh_rlhf', 'harmless-base', 'test.jsonl.gz'))).toString('utf8');
  const out: { prompt: string; text: string; index: number }[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    const { chosen } = JSON.parse(line) as { chosen: string };
    const turns = chosen.split(/\n\n(?=Human: |Assistant: )/);
    const human = turns.find((t) => t.startsWith('Human: '))?.slice(7);
    const assistant = turns.find((t) => t.startsWith('Assistant: '))?.slice(11);
    if (human && assistant && isRefusal(assistant)) out.push({ prompt: human, text: assistant, index });
  });
  return out;
}

function responseExamples(): GuardExample[] {
  const out: GuardExample[] = [];
  const add = (prompt: string, text: string, label: 0 | 1, refusal: 0 | 1, src: string, g: string) =>
    out.push({
      task: 'response',
      prompt: clip(prompt),
      text: clip(text),
      label,
      refusal,
      source: src,
      group: g,
    });
  const outputs = selfInstructOutputs();
  for (const s of trainSeeds) {
    const opener = choose(`${s.id}:open`, complianceOpeners)(s.text);
    const g = group(s);
    if (s.dataType === 'vanilla_harmful') {
      add(s.text, choose(`${s.id}:refuse`, refusalStyles), 0, 1, 'template-refusal', g);
      // A compliance opener to a harmful request counts as a harmful response (weak label; no answer content).
      add(s.text, opener, 1, 0, 'template-compliance-harmful', g);
    } else {
      const output = outputs.get(s.id);
      if (output) add(s.text, output, 0, 0, 'self-instruct-output', g);
      add(s.text, opener, 0, 0, 'template-compliance-benign', g);
      // Some over-refusals of benign requests, so refusal does not depend on the request being harmful.
      if (pick(`${s.id}:over`, 3) === 0) {
        add(s.text, choose(`${s.id}:refuse`, refusalStyles), 0, 1, 'template-refusal-benign', g);
      }
    }
  }
  for (const r of hhRefusals()) add(r.prompt, r.text, 0, 1, 'hh-rlhf-refusal', `hh:${r.index}`);
  return out;
}

/** Drops exact duplicates (task, normalised text and prompt); conflicting labels drop every copy. */
function dedupe(rows: GuardExample[]): GuardExample[] {
  const seen = new Map<string, GuardExample | null>();
  for (const r of rows) {
    const key = `${r.task}|${norm(r.text)}|${norm(r.prompt ?? '')}`;
    const prev = seen.get(key);
    if (prev === undefined) seen.set(key, r);
    else if (prev !== null && (prev.label !== r.label || prev.refusal !== r.refusal)) seen.set(key, null);
  }
  return [...seen.values()].filter((r): r is GuardExample => r !== null);
}

function summary(rows: GuardExample[]) {
  const counts: Record<string, number> = {};
  for (const r of rows) {
    const key = `${r.task}/${r.source}/label=${r.label}/refusal=${r.refusal ?? '-'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const evalTexts = distinctEvalTexts(await readDataTexts(join(repo, 'packages', 'benchmarks', 'data'), { root: repo }));
const textsOf = (r: GuardExample) => (r.prompt ? [r.text, r.prompt] : [r.text]);
const prompts = dropEvalOverlap(dedupe(promptExamples()), textsOf, evalTexts);
const responses = dropEvalOverlap(dedupe(responseExamples()), textsOf, evalTexts);
mkdirSync(join(outDir, 'licenses'), { recursive: true });
const writeJsonl = (name: string, rows: GuardExample[]) =>
  writeFileSync(join(outDir, name), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
writeJsonl('prompt.jsonl', prompts.kept);
writeJsonl('response.jsonl', responses.kept);
copyFileSync(dataDir('seeds', 'advbench', 'LICENSE.txt'), join(outDir, 'licenses', 'advbench-LICENSE'));
copyFileSync(dataDir('seeds', 'self-instruct', 'LICENSE'), join(outDir, 'licenses', 'self-instruct-LICENSE'));
copyFileSync(join(shared, 'hh_rlhf', 'LICENSE'), join(outDir, 'licenses', 'hh-rlhf-LICENSE'));
const droppedBy = (d: { item: GuardExample; reason: string }[]) =>
  summary(d.map(({ item, reason }) => ({ ...item, source: `${item.source}(${reason})` })));
console.log(
  JSON.stringify(
    {
      kept: summary([...prompts.kept, ...responses.kept]),
      droppedForEvalOverlap: droppedBy([...prompts.dropped, ...responses.dropped]),
    },
    null,
    1,
  ),
);
