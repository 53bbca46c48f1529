import { type ParseArgsConfig, parseArgs } from 'node:util';
import { resolveGenerationBudget, type SuiteName, suiteNames } from '@magic/benchmarks';
import { at } from '@magic/core';
import { z } from 'zod';
import { canonicalPaths } from './data-paths.js';
import { EvalCliError } from './errors.js';
import { type JudgeSpec, parseJudgeSpec, parseTargetSpec, type TargetSpec } from './specs.js';

export const DEVICES = ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type DeviceName = (typeof DEVICES)[number];

export interface EvalArgs {
  /** Undefined only when every suite runs without a target (judge-quality). */
  target: TargetSpec | undefined;
  /** Undefined only when every suite runs without a judge (capability). */
  judge: JudgeSpec | undefined;
  suites: SuiteName[];
  limit: number | undefined;
  concurrency: number;
  batchSize: number;
  out: string;
  cache: string | undefined;
  dataDir: string | undefined;
  /** `--path name=file`: task id or benchmark name → file (or folder). */
  paths: Record<string, string>;
  device: DeviceName;
  maxTokens: number;
  /** Judge input (spec §7): `<answer>` extraction and the token budget of the judged text (null = whole reply). */
  extractAnswer: boolean;
  judgeMaxTokens: number | null;
  /** Tokenizer folder (tokenizer.json + tokenizer_config.json) for cutting an endpoint target's replies. */
  judgeTokenizer: string | undefined;
  /** Seconds the judge endpoint gets to answer the start-up probe. */
  judgeTimeout: number;
  /** Pairwise judge for AlpacaEval 2 (an OpenAI-compatible chat endpoint). */
  judgeLlm: TargetSpec | undefined;
  temperature: number;
  seed: number;
  bootstrapSamples: number;
  /** X-Teaming agents (multi-turn); the X-Teaming task is skipped without planner + attacker. */
  planner: TargetSpec | undefined;
  attacker: TargetSpec | undefined;
  scorer: TargetSpec | undefined;
  xteamingPlans: number;
  xteamingTurns: number;
  plain: boolean;
  help: boolean;
}

export const USAGE = `magic-eval: a checkpoint or an OpenAI-compatible endpoint against the MAGIC benchmark suites

Usage: magic-eval --target SPEC [--judge SPEC] [--suite NAME] [options]
       magic-eval compare <runA> <runB> [--out DIR] [--name-a A] [--name-b B]

  --target SPEC        local:<checkpoint dir> | openai:<baseURL>#<model> (API key: $OPENAI_API_KEY) |
                       replay:<id> (an earlier run's meta.target: its --cache judged again, nothing generated);
                       required unless --suite judge-quality; local models honour MAGIC_PACKED_MLP=0,
                       MAGIC_PACKED_DECODE=0, MAGIC_DECODE_GRAPH=0 and the backend variables of
                       @magic/tensor's README (MAGIC_ALLOW_SOFTWARE_WEBGPU=1, MAGIC_FAST_MATMUL=0, ...)
  --judge SPEC         local | rules | qwen3guard:<url>[#model] | wildguard:<url>[#model] | harmbench-cls:<url>[#model]
                       (endpoint key: $WILDGUARD_API_KEY); required unless --suite capability
  --suite NAME         safety | over-refusal | multi-turn | capability | judge-quality | all (default safety);
                       comma-separated lists work too
  --limit N            first N rows of every task (stratified where the suite says so)
  --concurrency N      generation batches / judge calls in flight (default 4)
  --batch-size N       chats per generation call (default 8)
  --out DIR            output folder: results.json, results.md, report.html, generations.jsonl (default magic-eval-out)
  --cache FILE         generation cache (default <out>/generations.jsonl); a rerun never regenerates what it holds
  --data-dir DIR       folder with unshipped data: an entry named <task id> or <benchmark> (any extension)
  --path NAME=FILE     data file for a task id or benchmark (repeatable), e.g. --path wildguardtest=wgt.csv
  --data FILE          your labelled guard set for --suite judge-quality (JSON Lines: prompt, response?,
                       promptHarm?, responseHarm?, refusal? as 0/1, group?); same as --path guardLabels=FILE
  --device D           auto | webgpu | tensorflow | wasm | cpu (local targets; default auto)
  --max-tokens N|NAME  generation budget per reply: a number, default (512) or paper-cot (8192, the paper's budget
                       for chain-of-thought defenders)
  --extract-answer on|off  judge only the <answer>…</answer> part when a reply has one (default on)
  --judge-max-tokens N|off judged text cut to N tokens of the defender's tokenizer (default 512)
  --judge-tokenizer DIR    tokenizer folder of an endpoint target for that cut (default: an approximate count)
  --judge-timeout S    seconds the judge endpoint gets to answer the start-up probe (default 30)
  --judge-llm SPEC     openai:<baseURL>#<model>: pairwise judge for AlpacaEval 2 (key: $JUDGE_LLM_API_KEY)
  --temperature T      sampling temperature (default 0 = greedy)
  --seed N             bootstrap / sampling seed (default 0)
  --bootstrap N        bootstrap resamples per CI (default 1000)
  --planner SPEC       X-Teaming planner (target spec); --attacker SPEC and --scorer SPEC likewise
                       (scorer defaults to the planner); without planner + attacker X-Teaming is skipped
  --xteaming-plans N   plans per behaviour (default 10); --xteaming-turns N turns per plan (default 3)
  --plain              plain progress lines even on a terminal
  -h, --help           this text
Exit codes: 0 ok, 2 usage error, 1 run failure.`;

const OPTIONS = {
  target: { type: 'string' },
  judge: { type: 'string' },
  suite: { type: 'string' },
  limit: { type: 'string' },
  concurrency: { type: 'string' },
  'batch-size': { type: 'string' },
  out: { type: 'string' },
  cache: { type: 'string' },
  'data-dir': { type: 'string' },
  path: { type: 'string', multiple: true },
  data: { type: 'string' },
  device: { type: 'string' },
  'max-tokens': { type: 'string' },
  'extract-answer': { type: 'string' },
  'judge-max-tokens': { type: 'string' },
  'judge-tokenizer': { type: 'string' },
  'judge-timeout': { type: 'string' },
  'judge-llm': { type: 'string' },
  temperature: { type: 'string' },
  seed: { type: 'string' },
  bootstrap: { type: 'string' },
  planner: { type: 'string' },
  attacker: { type: 'string' },
  scorer: { type: 'string' },
  'xteaming-plans': { type: 'string' },
  'xteaming-turns': { type: 'string' },
  plain: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** node:util parseArgs, with its errors turned into EvalCliError naming the flag. */
type FlagOptions = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends FlagOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

export function parseFlags<const O extends FlagOptions>(argv: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message;
    const flag = /'(-{1,2}[^'\s,]+)/.exec(message)?.[1] ?? '(command line)';
    throw new EvalCliError(flag, message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** Parses `value` with `schema`; failure is an EvalCliError naming `flag`. */
export function flagValue<S extends z.ZodType>(flag: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new EvalCliError(flag, `'${String(value)}': ${result.error.issues[0]?.message ?? 'invalid value'}`);
  }
  return result.data;
}

export const positiveInt = z.coerce.number().int().positive();
export const nonNegativeInt = z.coerce.number().int().nonnegative();
const intSchema = z.coerce.number().int();
const temperatureSchema = z.coerce.number().min(0).max(2);
const deviceSchema = z.enum(DEVICES);
const suiteSchema = z.enum([...suiteNames, 'all']);
const onOff = z.enum(['on', 'off']);

/** `--max-tokens`: a positive integer or a budget name (default, paper-cot). */
function generationBudget(value: string): number {
  const budget = resolveGenerationBudget(value);
  if (budget === null) throw new EvalCliError('--max-tokens', `'${value}': a positive integer, default or paper-cot`);
  return budget;
}

/** `a=b` pairs of repeated --path flags. */
function parsePaths(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new EvalCliError('--path', `'${v}' must be NAME=FILE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

function parseSuites(value: string): SuiteName[] {
  const names = value.split(',').map((s) => flagValue('--suite', suiteSchema, s.trim()));
  const expanded = names.flatMap((n) => (n === 'all' ? [...suiteNames] : [n]));
  return [...new Set(expanded)];
}

const optional = <T>(value: string | undefined, read: (v: string) => T): T | undefined =>
  value === undefined ? undefined : read(value);

/** magic-eval's command line (the `run` form; `compare` has its own parser). */
export function parseEvalArgs(argv: string[]): EvalArgs {
  const { values: v, positionals } = parseFlags(argv, OPTIONS);
  if (positionals.length > 0)
    throw new EvalCliError(at(positionals, 0, 'positionals'), 'unexpected argument (flags start with --)');
  const help = v.help ?? false;
  if (help) return { help: true } as EvalArgs;
  const suites = parseSuites(v.suite ?? 'safety');
  if (v.target === undefined && suites.some((s) => s !== 'judge-quality'))
    throw new EvalCliError('--target', 'is required (local:<dir> or openai:<url>#<model>)');
  const judge = optional(v.judge, parseJudgeSpec);
  if (judge === undefined && suites.some((s) => s !== 'capability')) {
    throw new EvalCliError('--judge', `is required for suite ${suites.filter((s) => s !== 'capability').join(', ')}`);
  }
  if (judge?.kind === 'harmbench-cls' && suites.includes('judge-quality')) {
    throw new EvalCliError('--judge', 'harmbench-cls classifies responses only; judge-quality needs prompt moderation');
  }
  if (v['data-dir'] === '') throw new EvalCliError('--data-dir', 'is empty');
  const paths = canonicalPaths(parsePaths(v.path ?? []));
  if (v.data !== undefined) {
    if (v.data === '') throw new EvalCliError('--data', 'is empty');
    if (paths['guardLabels'] !== undefined)
      throw new EvalCliError('--data', 'is the same as --path guardLabels=FILE; give one');
    if (!suites.includes('judge-quality')) throw new EvalCliError('--data', 'is read by --suite judge-quality only');
    paths['guardLabels'] = v.data;
  }
  if ((v.planner === undefined) !== (v.attacker === undefined)) {
    throw new EvalCliError(
      v.planner === undefined ? '--planner' : '--attacker',
      'X-Teaming needs both --planner and --attacker',
    );
  }
  if (v.scorer !== undefined && v.planner === undefined) {
    throw new EvalCliError('--scorer', 'is only used with --planner and --attacker');
  }
  return {
    target: optional(v.target, parseTargetSpec),
    judge,
    suites,
    limit: optional(v.limit, (x) => flagValue('--limit', positiveInt, x)),
    concurrency: flagValue('--concurrency', positiveInt, v.concurrency ?? '4'),
    batchSize: flagValue('--batch-size', positiveInt, v['batch-size'] ?? '8'),
    out: flagValue('--out', z.string().min(1), v.out ?? 'magic-eval-out'),
    cache: optional(v.cache, (x) => flagValue('--cache', z.string().min(1), x)),
    dataDir: v['data-dir'],
    paths,
    device: flagValue('--device', deviceSchema, v.device ?? 'auto'),
    maxTokens: generationBudget(v['max-tokens'] ?? 'default'),
    extractAnswer: flagValue('--extract-answer', onOff, v['extract-answer'] ?? 'on') === 'on',
    judgeMaxTokens:
      (v['judge-max-tokens'] ?? '512') === 'off'
        ? null
        : flagValue('--judge-max-tokens', positiveInt, v['judge-max-tokens'] ?? '512'),
    judgeTokenizer: optional(v['judge-tokenizer'], (x) => flagValue('--judge-tokenizer', z.string().min(1), x)),
    judgeTimeout: flagValue('--judge-timeout', z.coerce.number().positive(), v['judge-timeout'] ?? '30'),
    judgeLlm: optional(v['judge-llm'], (x) => withFlag('--judge-llm', x)),
    temperature: flagValue('--temperature', temperatureSchema, v.temperature ?? '0'),
    seed: flagValue('--seed', intSchema, v.seed ?? '0'),
    bootstrapSamples: flagValue('--bootstrap', positiveInt, v.bootstrap ?? '1000'),
    planner: optional(v.planner, (x) => withFlag('--planner', x)),
    attacker: optional(v.attacker, (x) => withFlag('--attacker', x)),
    scorer: optional(v.scorer, (x) => withFlag('--scorer', x)),
    xteamingPlans: flagValue('--xteaming-plans', positiveInt, v['xteaming-plans'] ?? '10'),
    xteamingTurns: flagValue('--xteaming-turns', positiveInt, v['xteaming-turns'] ?? '3'),
    plain: v.plain ?? false,
    help,
  };
}

/** A target spec given to another flag: errors name that flag. */
function withFlag(flag: string, spec: string): TargetSpec {
  try {
    return parseTargetSpec(spec);
  } catch (e) {
    if (EvalCliError.isInstance(e)) throw new EvalCliError(flag, e.message.replace(/^--target: /, ''));
    throw e;
  }
}

export interface CompareArgs {
  runA: string;
  runB: string;
  out: string | undefined;
  nameA: string | undefined;
  nameB: string | undefined;
  help: boolean;
}

export const COMPARE_USAGE = `magic-eval compare: two runs side by side with deltas and bootstrap CIs

Usage: magic-eval compare <runA> <runB> [--out DIR] [--name-a A] [--name-b B]

  <runA> <runB>   a run folder (holding results.json) or a results.json file; B is compared against A
  --out DIR       also write compare.md and compare.html there
  --name-a/-b     column names (default: the folder names)`;

/** `magic-eval compare` arguments (argv without the leading 'compare'). */
export function parseCompareArgs(argv: string[]): CompareArgs {
  const { values, positionals } = parseFlags(argv, {
    out: { type: 'string' },
    'name-a': { type: 'string' },
    'name-b': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const);
  if (values.help) return { runA: '', runB: '', out: undefined, nameA: undefined, nameB: undefined, help: true };
  if (positionals.length !== 2) {
    throw new EvalCliError('compare', `expects two runs (<runA> <runB>), got ${positionals.length}`);
  }
  if (values.out === '') throw new EvalCliError('--out', 'is empty');
  return {
    runA: at(positionals, 0, 'positionals'),
    runB: at(positionals, 1, 'positionals'),
    out: values.out,
    nameA: values['name-a'],
    nameB: values['name-b'],
    help: false,
  };
}
