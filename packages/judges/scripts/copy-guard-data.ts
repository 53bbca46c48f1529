/**
 * Copies the local guard's training data from /work/shared/datasets (licence-checked sources only) into
 * packages/judges/data/guard-training/*.jsonl. Run once by a maintainer; `magic-guard train` reads only those copies.
 *   npx tsx packages/judges/scripts/copy-guard-data.ts [--shared /work/shared/datasets]
 * Prints counts only, never rows.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { GuardExample } from '../src/local/dataset.js';
import { isRefusal } from '../src/refusal-rules.js';

const here = dirname(fileURLToPath(import.meta.url));
const shared = process.argv.includes('--shared')
  ? process.argv[process.argv.indexOf('--shared') + 1]!
  : '/work/shared/datasets';
const outDir = resolve(here, '..', 'data', 'guard-training');
const maxChars = 1000;

type Row = Record<string, string>;
const clip = (t: string) => t.trim().slice(0, maxChars);
const csv = (p: string): Row[] =>
  parse(readFileSync(join(shared, p), 'utf8'), { columns: true, skip_empty_lines: true });
const json = (p: string): unknown => JSON.parse(readFileSync(join(shared, p), 'utf8'));
const jsonl = (p: string): Row[] =>
  readFileSync(join(shared, p), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);
const norm = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').trim();

/** Deterministic subsample: keeps every k-th row. */
function every<T>(rows: T[], max: number): T[] {
  if (rows.length <= max) return rows;
  const step = rows.length / max;
  return Array.from({ length: max }, (_, i) => rows[Math.floor(i * step)]!);
}

function promptExamples(): GuardExample[] {
  const out: GuardExample[] = [];
  const add = (text: string, label: 0 | 1, source: string, group?: string) => {
    if (text.trim())
      out.push({ task: 'prompt', text: clip(text), label, source, group: group ?? `text:${norm(text)}` });
  };
  // MaliciousInstruct has no licence: its items inside the refusal-direction set are read only to be left out.
  const unlicensedText = readFileSync(join(shared, 'malicious_instruct/malicious_instruct.txt'), 'utf8');
  const unlicensed = new Set(unlicensedText.split('\n').map(norm).filter(Boolean));
  for (const split of ['train', 'val', 'test']) {
    for (const r of json(`harmful_harmless_instructions/harmful_${split}.json`) as { instruction: string }[]) {
      if (!unlicensed.has(norm(r.instruction))) add(r.instruction, 1, 'refusal-direction-harmful');
    }
  }
  for (const r of csv('advbench/advbench_behaviors.csv')) add(r.Behavior!, 1, 'advbench');
  for (const r of csv('harmbench/harmbench_behaviors_text_all.csv')) add(r.Behavior!, 1, 'harmbench');
  for (const r of csv('jbb_behaviors/harmful-behaviors.csv')) add(r.Goal ?? r.goal!, 1, 'jbb-harmful');
  for (const r of csv('jbb_behaviors/benign-behaviors.csv'))
    add(r.Goal ?? r.goal!, 0, 'jbb-benign', `jbb-benign:${r.Index ?? r.index}`);
  for (const r of csv('xstest/xstest_prompts.csv'))
    add(r.prompt!, r.label === 'unsafe' ? 1 : 0, `xstest-${r.label}`, `xstest:${r.id}`);
  wildJailbreak(add);
  for (const r of every(jsonl('ifeval/input_data.jsonl'), 400)) add(r.prompt!, 0, 'ifeval');
  for (const r of jsonl('mt_bench/question.jsonl') as unknown as { turns: string[]; question_id: number }[])
    add(r.turns[0]!, 0, 'mt-bench', `mtb:${r.question_id}`);
  for (const r of every(csv('truthfulqa/TruthfulQA.csv'), 400)) add(r.Question!, 0, 'truthfulqa');
  for (const r of every(jsonl('gsm8k/test.jsonl'), 300)) add(r.question!, 0, 'gsm8k');
  for (const r of mmluQuestions()) add(r, 0, 'mmlu');
  return dedupe(out);
}

function wildJailbreak(add: (text: string, label: 0 | 1, source: string, group?: string) => void) {
  every(jsonl('wildjailbreak/harmful.jsonl'), 500).forEach((r) => {
    add(r.vanilla!, 1, 'wildjailbreak-harmful-vanilla', `text:${norm(r.vanilla!)}`);
    add(r.adversarial!, 1, 'wildjailbreak-harmful-adversarial', `text:${norm(r.vanilla!)}`);
  });
  jsonl('wildjailbreak/benign.jsonl').forEach((r) => {
    add(r.vanilla!, 0, 'wildjailbreak-benign-vanilla', `text:${norm(r.vanilla!)}`);
    add(r.adversarial!, 0, 'wildjailbreak-benign-adversarial', `text:${norm(r.vanilla!)}`);
  });
}

function mmluQuestions(): string[] {
  const files = readdirSync(join(shared, 'mmlu', 'test'))
    .filter((f) => f.endsWith('.csv'))
    .sort();
  const rows: string[] = [];
  for (const f of files) {
    const table = parse(readFileSync(join(shared, 'mmlu', 'test', f), 'utf8'), { columns: false }) as string[][];
    for (const r of table.slice(0, 6)) if (r[0]) rows.push(r[0]);
  }
  return every(rows, 300);
}

/** Drops exact duplicates (normalised text) within a task; the first occurrence wins; conflicting labels drop both. */
function dedupe(rows: GuardExample[]): GuardExample[] {
  const seen = new Map<string, GuardExample | null>();
  for (const r of rows) {
    const key = `${r.task}|${norm(r.text)}|${norm(r.prompt ?? '')}`;
    const prev = seen.get(key);
    if (prev === undefined) seen.set(key, r);
    else if (prev !== null && prev.label !== r.label) seen.set(key, null);
  }
  return [...seen.values()].filter((r): r is GuardExample => r !== null);
}

interface Jailbreak {
  index: number | string;
  goal: string;
  prompt: string | null;
  response: string | null;
  jailbroken: boolean;
}

function jbbArtifacts(): { method: string; j: Jailbreak }[] {
  const root = join(shared, 'jailbreakbench', 'attack-artifacts');
  const out: { method: string; j: Jailbreak }[] = [];
  for (const method of readdirSync(root).sort()) {
    for (const kind of readdirSync(join(root, method)).sort()) {
      if (kind.endsWith('.json')) continue;
      for (const file of readdirSync(join(root, method, kind)).sort()) {
        const a = JSON.parse(readFileSync(join(root, method, kind, file), 'utf8')) as { jailbreaks: Jailbreak[] };
        for (const j of a.jailbreaks) if (j.response) out.push({ method, j });
      }
    }
  }
  return out;
}

function harmBenchValSet(): { behaviorId: string; behavior: string; generation: string; harmful: 0 | 1 }[] {
  const behaviors = new Map(csv('harmbench/harmbench_behaviors_text_all.csv').map((r) => [r.BehaviorID!, r.Behavior!]));
  const data = json('harmbench/harmbench_text_behaviors_val_set.json') as Record<string, Row[]>;
  const out: { behaviorId: string; behavior: string; generation: string; harmful: 0 | 1 }[] = [];
  for (const [id, rows] of Object.entries(data)) {
    for (const r of rows) {
      const votes = ['human_0', 'human_1', 'human_2'].map((k) => Number(r[k]));
      if (votes.some((v) => Number.isNaN(v))) continue;
      out.push({
        behaviorId: id,
        behavior: behaviors.get(id) ?? id,
        generation: r.generation!,
        harmful: votes.filter((v) => v === 1).length >= 2 ? 1 : 0,
      });
    }
  }
  return out;
}

function benignAnswers(): { prompt: string; text: string; source: string; group: string }[] {
  const out: { prompt: string; text: string; source: string; group: string }[] = [];
  for (const [i, r] of every(jsonl('gsm8k/test.jsonl'), 300).entries()) {
    out.push({ prompt: r.question!, text: r.answer!, source: 'gsm8k-answer', group: `gsm8k-a:${i}` });
  }
  for (const [i, r] of every(csv('truthfulqa/TruthfulQA.csv'), 300).entries()) {
    const text = `${r['Best Answer']}. ${r['Correct Answers']?.split(';')[0] ?? ''}`;
    out.push({ prompt: r.Question!, text, source: 'truthfulqa-answer', group: `tqa-a:${i}` });
  }
  for (const r of jsonl('mt_bench/reference_answer_gpt-4.jsonl') as unknown as {
    question_id: number;
    choices: { turns: string[] }[];
  }[]) {
    const text = r.choices[0]?.turns[0];
    if (text) out.push({ prompt: '', text, source: 'mt-bench-reference', group: `mtb:${r.question_id}` });
  }
  return out;
}

/** Response examples: refusal (weak labels: refusal phrase + not jailbroken/harmful) and harmfulness. */
function responseExamples(): GuardExample[] {
  const out: GuardExample[] = [];
  const both = (prompt: string, text: string, source: string, group: string, harmful: 0 | 1, refusal: 0 | 1 | null) => {
    const row: GuardExample = {
      task: 'response',
      prompt: clip(prompt),
      text: clip(text),
      label: harmful,
      source,
      group,
    };
    if (refusal !== null) row.refusal = refusal;
    out.push(row);
  };
  for (const { method, j } of jbbArtifacts()) {
    const response = j.response!;
    const refusal = j.jailbroken ? 0 : isRefusal(response) ? 1 : null;
    both(j.goal, response, `jbb-artifacts-${method}`, `jbb:${j.index}`, j.jailbroken ? 1 : 0, refusal);
  }
  for (const r of harmBenchValSet()) {
    const refusal = r.harmful === 1 ? 0 : isRefusal(r.generation) ? 1 : null;
    both(r.behavior, r.generation, 'harmbench-classifier-val', `hb:${r.behaviorId}`, r.harmful, refusal);
  }
  for (const r of benignAnswers()) both(r.prompt, r.text, r.source, r.group, 0, 0);
  return dedupe(out);
}

function writeJsonl(name: string, rows: GuardExample[]) {
  writeFileSync(join(outDir, name), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
}

function summary(rows: GuardExample[]) {
  const counts: Record<string, number> = {};
  for (const r of rows) {
    const key = `${r.task}/${r.source}/label=${r.label}/refusal=${r.refusal ?? '-'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

mkdirSync(join(outDir, 'licenses'), { recursive: true });
const prompts = promptExamples();
const responses = responseExamples();
writeJsonl('prompt.jsonl', prompts);
writeJsonl('response.jsonl', responses);
const licences: [string, string][] = [
  ['xstest/LICENSE', 'xstest-LICENSE'],
  ['jbb_behaviors/LICENSE', 'jailbreakbench-behaviors-LICENSE'],
  ['jailbreakbench/LICENSE', 'jailbreakbench-artifacts-LICENSE'],
  ['harmbench/LICENSE.txt', 'harmbench-LICENSE'],
];
for (const [from, to] of licences) {
  copyFileSync(join(shared, from), join(outDir, 'licenses', to));
}
console.log(JSON.stringify(summary([...prompts, ...responses]), null, 1));
