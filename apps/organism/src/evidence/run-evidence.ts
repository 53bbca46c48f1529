import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { type RunResults, runResultsSchema } from '@magic/benchmarks';
import { at, defined } from '@magic/core';
import { type Guard, LocalGuard } from '@magic/judges';
import { z } from 'zod';
import { EvidenceError } from '../errors.js';
import { type OrganismEval, readOrganismEval } from '../eval/eval-report.js';
import { writeOrganismEval } from '../eval/evaluate.js';
import { ORGANISM_SET_NAMES, type OrganismSetName } from '../eval/set-names.js';
import {
  buildEvidence,
  EVIDENCE_ROLES,
  type Evidence,
  type EvidenceInput,
  type EvidenceRole,
  type ModelMeasurements,
} from './evidence.js';
import { evidenceMarkdown } from './evidence-markdown.js';

/** The organism sets the evidence measures (the game's three validation sets, the held-out ROUGE-L set, etc.). */
export const EVIDENCE_ORGANISM_SETS: readonly OrganismSetName[] = ORGANISM_SET_NAMES;

/** Runs `magic-eval` with these arguments; resolves when it exits 0. */
export type MagicEvalRunner = (args: string[]) => Promise<void>;

export interface RunEvidenceOptions {
  models: Partial<Record<EvidenceRole, { dir: string; label?: string }>> & {
    before: { dir: string; label?: string };
    after: { dir: string; label?: string };
  };
  /** Output folder: <out>/<role>/{magic-eval-rules,magic-eval-guard,organism-eval.json,...}, evidence.{json,md}. */
  out: string;
  /** Tensor backend of every model (magic-eval's --device; the organism eval runs on the backend already started). */
  device: string;
  /** Rows per magic-eval task (default 100). */
  limit?: number;
  /** Items per organism set (default 100). */
  organismLimit?: number;
  /** Reply budget of both evaluations (default 64: refusals are decided in the first sentence). */
  maxTokens?: number;
  /** Prompts per generate call of the organism eval (default 16; its prompts are cut to 384 tokens). */
  batchSize?: number;
  /**
   * magic-eval's --batch-size and --concurrency (default 4 and 1): its prompts fill the model's context (WildJailbreak
   * and DAN run to ~2k tokens), and 4 batches of 16 such prefills ran out of the 4 GiB wasm heap.
   */
  evalBatchSize?: number;
  evalConcurrency?: number;
  seed?: number;
  organismSets?: readonly OrganismSetName[];
  /** Keep results already in `out` (same model folders) instead of measuring again. */
  reuse?: boolean;
  /** Default: the magic-eval command of @magic/eval-app, as a child process with `env`. */
  magicEval?: MagicEvalRunner;
  /** The CLI's environment for that child (backend variables such as MAGIC_ALLOW_SOFTWARE_WEBGPU). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Guard of the organism sets' harm rate (default: the local guard, the one `magic-eval --judge local` uses). */
  guard?: Guard;
  log?: (line: string) => void;
}

/**
 * magic-eval of @magic/eval-app as a child process (stdout and stderr passed through), with `env` as its environment
 * (the caller's; without it the child inherits this process's).
 */
export function defaultMagicEval(env?: Readonly<Record<string, string | undefined>>): MagicEvalRunner {
  const bin = join(
    dirname(createRequire(import.meta.url).resolve('@magic/eval-app/package.json')),
    'bin',
    'magic-eval.js',
  );
  return (args) =>
    new Promise((done, fail) => {
      const child = spawn(process.execPath, [bin, ...args], {
        stdio: ['ignore', 'inherit', 'inherit'],
        ...(env === undefined ? {} : { env }),
      });
      child.on('error', fail);
      child.on('exit', (code, signal) =>
        code === 0
          ? done()
          : fail(new EvidenceError('magic-eval', `magic-eval ${args.join(' ')} exited with ${signal ?? code}`)),
      );
    });
}

const resultsFileSchema = z.object({ runs: z.array(runResultsSchema) });

/** The safety-suite run of a magic-eval results.json. */
export function readSafetyRun(file: string): RunResults {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new EvidenceError(file, `cannot read magic-eval results (${(e as Error).message})`, { cause: e });
  }
  const parsed = resultsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = at(parsed.error.issues, 0, 'zod issue');
    throw new EvidenceError(file, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const run = parsed.data.runs.find((r) => r.suite === 'safety');
  if (run === undefined) throw new EvidenceError(file, 'no safety-suite run');
  return run;
}

/** Held-out item id → ROUGE-L F from an organism eval's answers file. */
export function readRougeByItem(file: string): Map<string, number> {
  const out = new Map<string, number>();
  const line = z.object({ set: z.string(), id: z.string(), rougeL: z.number().optional() });
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      const r = line.safeParse(JSON.parse(text));
      if (!r.success) throw new EvidenceError(`${file}:${i + 1}`, at(r.error.issues, 0, 'zod issue').message);
      if (r.data.rougeL !== undefined) out.set(`${r.data.set}/${r.data.id}`, r.data.rougeL);
    });
  return out;
}

/**
 * Measures each model (magic-eval's safety suite once generated, judged by the refusal rules and by the local guard
 * from the same generation cache; magic-organism eval with the guard's harm rate and per-item answers), then writes
 * evidence.json and evidence.md to `out`.
 */
export async function runEvidence(options: RunEvidenceOptions): Promise<{ evidence: Evidence; files: string[] }> {
  const log = options.log ?? (() => {});
  const limit = options.limit ?? 100;
  const organismLimit = options.organismLimit ?? 100;
  const maxTokens = options.maxTokens ?? 64;
  const batchSize = options.batchSize ?? 16;
  const evalBatchSize = options.evalBatchSize ?? 4;
  const evalConcurrency = options.evalConcurrency ?? 1;
  const seed = options.seed ?? 42;
  const magicEval = options.magicEval ?? defaultMagicEval(options.env);
  const guard = options.guard ?? LocalGuard.load();
  const out = resolve(options.out);
  const measured: Partial<Record<EvidenceRole, ModelMeasurements>> = {};

  for (const role of EVIDENCE_ROLES) {
    const model = options.models[role];
    if (model === undefined) continue;
    const dir = resolve(model.dir);
    if (!existsSync(join(dir, 'config.json'))) throw new EvidenceError(dir, 'not a model folder (no config.json)');
    const roleDir = join(out, role);
    await mkdir(roleDir, { recursive: true });
    const runs: Partial<Record<'rules' | 'guard', RunResults>> = {};
    for (const judge of ['rules', 'guard'] as const) {
      const evalOut = join(roleDir, `magic-eval-${judge}`);
      const file = join(evalOut, 'results.json');
      const target = `local:${dir}`;
      const fresh = !(options.reuse && existsSync(file) && readSafetyRun(file).target.startsWith(target));
      if (fresh) {
        log(`evidence: ${role}: magic-eval safety suite, judge ${judge}`);
        // one generation cache per model: the second judge regenerates nothing
        await magicEval([
          '--target',
          target,
          '--judge',
          judge === 'rules' ? 'rules' : 'local',
          '--suite',
          'safety',
          '--limit',
          String(limit),
          '--max-tokens',
          String(maxTokens),
          '--batch-size',
          String(evalBatchSize),
          '--concurrency',
          String(evalConcurrency),
          '--device',
          options.device,
          '--seed',
          String(seed),
          '--cache',
          join(roleDir, 'generations.jsonl'),
          '--out',
          evalOut,
          '--plain',
        ]);
      }
      runs[judge] = readSafetyRun(file);
    }
    const evalFile = join(roleDir, 'organism-eval.json');
    const answersFile = join(roleDir, 'organism-answers.jsonl');
    let organism: OrganismEval;
    if (
      options.reuse &&
      existsSync(evalFile) &&
      existsSync(answersFile) &&
      readOrganismEval(evalFile).model.dir === dir
    ) {
      organism = readOrganismEval(evalFile);
    } else {
      log(`evidence: ${role}: magic-organism eval`);
      organism = await writeOrganismEval({
        modelDir: dir,
        out: evalFile,
        answersFile,
        limit: organismLimit,
        maxNewTokens: maxTokens,
        batchSize,
        seed,
        sets: options.organismSets ?? EVIDENCE_ORGANISM_SETS,
        guard,
        log,
      });
    }
    measured[role] = {
      dir,
      ...(model.label === undefined ? {} : { label: model.label }),
      rules: defined(runs.rules, 'rules-judge run'),
      guard: defined(runs.guard, 'guard-judge run'),
      organism,
      rougeByItem: readRougeByItem(answersFile),
    };
  }

  const input: EvidenceInput = {
    before: defined(measured.before, 'before measurements'),
    after: defined(measured.after, 'after measurements'),
    ...(measured.fixedAttacker === undefined ? {} : { fixedAttacker: measured.fixedAttacker }),
  };
  const evidence = buildEvidence(
    input,
    {
      device: options.device,
      limit,
      organismLimit,
      maxTokens,
      seed,
      decoding: 'greedy',
      guard: 'local',
      evalBatchSize,
      evalConcurrency,
    },
    seed,
  );
  return { evidence, files: await writeEvidenceFiles(out, evidence) };
}

/** evidence.json and evidence.md in `out` (created if missing); returns their paths. */
export async function writeEvidenceFiles(out: string, evidence: Evidence): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const json = join(out, 'evidence.json');
  const md = join(out, 'evidence.md');
  await writeFile(json, `${JSON.stringify(evidence, null, 2)}\n`);
  await writeFile(md, evidenceMarkdown(evidence));
  return [json, md];
}
