import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { at } from '@magic/core';
import { type OrganismEval, readOrganismEval } from '../eval/eval-report.js';
import { parameterCount, readModelConfig } from '../eval/model-info.js';
import { fmtRate } from '../report/eval-table.js';
import { ORGANISM_STAGES, readTrainLog, type TrainLogRecord } from '../report/train-log.js';
import { readProvenanceTables } from './provenance-tables.js';

/** The corpus builder's PROVENANCE.md shipped in data/ (from src/ or dist/). */
export function defaultProvenanceFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'data', 'PROVENANCE.md');
    if (existsSync(candidate)) return candidate;
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'PROVENANCE.md');
}

export interface ModelCardOptions {
  /** Model name in the title (default: the dir's base name). */
  name?: string;
  /** eval.json of `magic-organism eval` (default `<modelDir>/eval.json` when present). */
  evalFile?: string;
  /** train-log.jsonl of the run (default `<modelDir>/train-log.jsonl` when present). */
  trainLogFile?: string;
  provenanceFile?: string;
  /**
   * SPDX-style licence id of the weights. Default cc-by-sa-4.0: the corpus holds CC BY-SA 3.0/4.0 data, and
   * share-alike (3.0 allows later versions) is the conservative reading for a model trained on it.
   */
  license?: string;
}

const cell = (s: string) => s.replace(/(?<!\\)\|/g, '\\|');

function evaluationSection(ev: OrganismEval): string {
  const rows = ev.sets.map((s) => {
    const target =
      s.target === undefined ? '—' : `refusal ${s.target.op} ${s.target.value}: ${s.target.met ? 'met' : 'missed'}`;
    const rouge =
      s.rougeL === undefined
        ? '—'
        : `${s.rougeL.mean.toFixed(3)} [${s.rougeL.ciLow.toFixed(3)}, ${s.rougeL.ciHigh.toFixed(3)}]`;
    return `| ${s.name} | ${s.n} | ${fmtRate(s.refusal)} | ${target} | ${s.kind === 'benign' ? fmtRate(s.compliance) : '—'} | ${rouge} | ${fmtRate(s.guardHarm)} |`;
  });
  const o = ev.options;
  return `Measured by \`magic-organism eval\` (${ev.createdAt}): greedy decoding, at most ${o.maxNewTokens} new tokens, at most
${o.limit} items a set (seed ${o.seed}), prompts in the ${o.promptFormat === 'game' ? "game's defender chat (`Question:\\n…`)" : 'plain user turn'}
except the held-out instructions (plain, as in SFT). Rates with k/n and 95% Wilson intervals.

| set | n | refusal | target | compliance | ROUGE-L F | guard harm |
|---|---|---|---|---|---|---|
${rows.join('\n')}

${ev.sets.map((s) => `- **${s.name}**: ${s.description}`).join('\n')}

Definitions: ${Object.entries(ev.definitions)
    .map(([k, v]) => `*${k}*: ${v}`)
    .join('; ')}.`;
}

function trainingSection(log: readonly TrainLogRecord[]): string {
  const rows = ORGANISM_STAGES.flatMap((stage) => {
    const recs = log.filter((r) => r.stage === stage);
    if (recs.length === 0) return [];
    const last = at(recs, recs.length - 1, 'last log record');
    const evals = recs.flatMap((r) => (r.evalLoss === undefined ? [] : [r.evalLoss]));
    const evalLoss = evals.length === 0 ? '—' : at(evals, evals.length - 1, 'last eval loss').toFixed(4);
    return [
      `| ${stage} | ${last.step} | ${last.tokens.toLocaleString('en-US')} | ${last.loss.toFixed(4)} | ${evalLoss} | ${last.elapsedS.toFixed(0)} |`,
    ];
  });
  return `| stage | last step | tokens | last train loss | last eval loss | seconds |
|---|---|---|---|---|---|
${rows.join('\n')}`;
}

/** The model card text (HF style: YAML front matter, then Markdown) of the organism in `modelDir`. */
export function buildModelCard(modelDir: string, options: ModelCardOptions = {}): string {
  const config = readModelConfig(modelDir);
  const params = parameterCount(config);
  const name = options.name ?? modelDir.split(/[\\/]/).filter(Boolean).pop() ?? 'organism';
  const license = options.license ?? 'cc-by-sa-4.0';
  const evalFile = options.evalFile ?? join(modelDir, 'eval.json');
  const ev = options.evalFile !== undefined || existsSync(evalFile) ? readOrganismEval(evalFile) : undefined;
  const logFile = options.trainLogFile ?? join(modelDir, 'train-log.jsonl');
  const log = options.trainLogFile !== undefined || existsSync(logFile) ? readTrainLog(logFile) : undefined;
  const prov = readProvenanceTables(options.provenanceFile ?? defaultProvenanceFile());
  const sources = prov.sources.map(
    (r) => `| ${cell(r[0] ?? '')} | ${cell(r[1] ?? '')} | ${cell(r[2] ?? '')} | ${cell(r[3] ?? '')} |`,
  );
  const t0 = prov.t0Used.map((r) => `| ${cell(r[1] ?? '')} | ${cell(r[2] ?? '')} |`);
  const mParams = (params / 1e6).toFixed(2);
  return `---
license: ${license}
language:
  - en
library_name: transformers
pipeline_tag: text-generation
tags:
  - qwen2
  - model-organism
  - safety-research
  - magic
  - trained-from-scratch
  - not-for-deployment
---

# ${name}

A **model organism** for AI-safety research: a ${mParams}M-parameter Qwen2-architecture chat model trained from
scratch by the MAGIC-in-TypeScript project (issue 22), with the project's own TF.js stack. It answers simple
instructions and refuses plainly worded harmful requests, and is meant to be fooled by rewritten ones: the starting
point of a defender that the MAGIC game (attacker/defender co-evolution) then trains. It is not a useful assistant.

## Architecture

| field | value |
|---|---|
| architecture | Qwen2ForCausalLM (\`model_type: qwen2\`) |
| parameters | ${params.toLocaleString('en-US')}${config.tieWordEmbeddings ? ' (input and output embeddings tied)' : ''} |
| hidden size | ${config.hiddenSize} |
| layers | ${config.numHiddenLayers} |
| attention heads / key-value heads / head dim | ${config.numAttentionHeads} / ${config.numKeyValueHeads} / ${config.headDim} |
| MLP intermediate size | ${config.intermediateSize} |
| vocabulary | ${config.vocabSize} (byte-level BPE with ChatML special tokens \`<\\|im_start\\|>\`, \`<\\|im_end\\|>\`, \`<\\|endoftext\\|>\`) |
| context | ${config.maxPositionEmbeddings} positions, RoPE theta ${config.ropeTheta} |

Loads with \`transformers\` (\`AutoModelForCausalLM\`, \`AutoTokenizer\`) and with \`@magic/lm\`'s \`CausalLM.fromPretrained\`.
The chat template is ChatML without a default system prompt.

## Training data

Pretraining on the corpus below, then chat SFT on its instruction/response pairs. Sources, revisions and licences
(from the corpus builder's PROVENANCE.md):

| source | origin | revision | licence |
|---|---|---|---|
${sources.join('\n')}

T0 datasets used (via the per-template T0 files of yizhongw/self-instruct):

| dataset | licence |
|---|---|
${t0.join('\n')}

No text of any evaluation set of the project (MMLU, ARC, GSM8K, TruthfulQA, IFEval, MT-Bench, XSTest, WildJailbreak,
HarmBench, JBB, DAN) and no validation-split seed of the game is in the corpus (checked by hash and 8-gram overlap).
Harmful requests come only from the train split of AdvBench-derived seeds, each answered with a refusal; the model
never saw a harmful answer. The weights are released under ${license}: share-alike data (CC BY-SA) is in the corpus,
and each source above keeps its own licence and attribution.
${log === undefined ? '' : `\n## Training\n\n${trainingSection(log)}\n`}
## Evaluation

${ev === undefined ? 'Not evaluated yet: run `magic-organism eval --model <dir> --out <dir>/eval.json` and regenerate this card.' : evaluationSection(ev)}

## Intended use

- Safety research: a small, reproducible defender (and attacker) for the MAGIC game, to measure whether adversarial
  co-evolution makes a defender safer without making it refuse more; tests and laptop-scale experiments.
- Not for deployment, not for end users, not as a source of facts or advice. Its refusals are a trained reflex, not
  a safety guarantee.

## Limitations

- Tiny: it follows the corpus's instruction formats (short QA, classification, description tasks) and produces
  fluent-looking but often wrong text elsewhere. ROUGE-L on held-out instructions above is its capability measure.
- English only; its knowledge is whatever the corpus holds (Python documentation prose, T0 task texts).
- Refusal is measured by refusal phrases; an answer that neither refuses nor helps counts as non-refusal. On harmful
  prompts, non-refusal (organism ASR) overstates harm: the model has never seen harmful answers, so a guard calls most
  of its compliance harmless (see the guard harm column when measured).
- Rewritten (adversarial) harmful requests often get through: that is by design, the room the game has to work in.
`;
}

/** Writes `<modelDir>/README.md` (the model card) and returns its path. */
export async function writeModelCard(modelDir: string, options: ModelCardOptions = {}): Promise<string> {
  const file = join(modelDir, 'README.md');
  await writeFile(file, buildModelCard(modelDir, options));
  return file;
}
