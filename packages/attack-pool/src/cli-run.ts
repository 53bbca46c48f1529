import { parseArgs } from 'node:util';
import { at, defined } from '@magic/core';
import { OpenAICompatibleClient } from '@magic/openai-client';
import { z } from 'zod';
import { type BuildReport, buildAttackPool } from './builder.js';
import { runClassify, runExport, TOOLS_USAGE } from './cli-tools.js';
import { LlmThinkWriter, TemplateThinkWriter, type ThinkWriter } from './cot.js';
import { AttackPoolConfigError, AttackPoolError } from './errors.js';
import { loadSeedSpec } from './loaders/seed-spec.js';
import { LlmRewriter } from './rewriter/llm-rewriter.js';
import type { Rewriter } from './rewriter/rewriter.js';
import { TemplateRewriter } from './rewriter/template-rewriter.js';
import type { SeedRecord } from './schemas.js';
import { isStrategyId, type StrategyId, strategyIds } from './strategies.js';

export const USAGE = `magic-attack-pool build --seeds <format:path[?opts]> [--seeds ...] --out <dir>
  [--strategies all|id,id,...] [--rewriter template|llm] [--think template|llm]
  [--endpoint <baseURL incl. /v1>] [--model <name>] [--api-key-env <VAR>] [--concurrency N]
  [--max-retries N] [--timeout-ms N] [--gzip] [--export alpaca,chat] [--split-salt S]

seed formats: harmbench advbench jbb-harmful jbb-benign xstest xstest-safe wildjailbreak(-harmful|-benign)
  refusal-direction strongreject or-bench or-bench-toxic sorry-bench self-instruct
  seed-split (clean seeds with a train/val split kept for their rewrites) generic (?text=col&id=col&category=col&dataType=...)
  every format accepts ?limit=N (first N) and ?sample=N (N evenly spread)`;

const cliSchema = z
  .object({
    seeds: z.array(z.string()).min(1, 'at least one --seeds'),
    out: z.string().min(1, '--out is required'),
    strategies: z.string().default('all'),
    rewriter: z.enum(['template', 'llm']).default('template'),
    think: z.enum(['template', 'llm']).optional(),
    endpoint: z.url().optional(),
    model: z.string().optional(),
    apiKeyEnv: z.string().default('MAGIC_ATTACK_POOL_API_KEY'),
    concurrency: z.coerce.number().int().positive().default(4),
    maxRetries: z.coerce.number().int().min(0).default(3),
    timeoutMs: z.coerce.number().int().positive().default(120_000),
    gzip: z.boolean().default(false),
    export: z.string().default(''),
    splitSalt: z.string().default(''),
  })
  .refine((o) => (o.rewriter !== 'llm' && o.think !== 'llm') || (o.endpoint && o.model), {
    message: '--rewriter llm / --think llm need --endpoint and --model',
    path: ['endpoint'],
  });
export type CliOptions = z.output<typeof cliSchema>;

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Aborts in-flight LLM calls; records already appended are kept for the next (resumed) run. */
  signal?: AbortSignal;
}

export function parseStrategies(value: string): StrategyId[] {
  if (value === 'all') return [...strategyIds];
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!isStrategyId(id)) throw new AttackPoolConfigError('--strategies', `unknown strategy '${id}'`);
  }
  return ids as StrategyId[];
}

export function parseCliArgs(argv: string[]): CliOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      seeds: { type: 'string', multiple: true },
      out: { type: 'string' },
      strategies: { type: 'string' },
      rewriter: { type: 'string' },
      think: { type: 'string' },
      endpoint: { type: 'string' },
      model: { type: 'string' },
      'api-key-env': { type: 'string' },
      concurrency: { type: 'string' },
      'max-retries': { type: 'string' },
      'timeout-ms': { type: 'string' },
      gzip: { type: 'boolean' },
      export: { type: 'string' },
      'split-salt': { type: 'string' },
    },
  });
  if (positionals[0] !== 'build')
    throw new AttackPoolConfigError('command', `expected 'build', got '${positionals[0] ?? ''}'`);
  const parsed = cliSchema.safeParse({
    seeds: values.seeds,
    out: values.out,
    strategies: values.strategies,
    rewriter: values.rewriter,
    think: values.think,
    endpoint: values.endpoint,
    model: values.model,
    apiKeyEnv: values['api-key-env'],
    concurrency: values.concurrency,
    maxRetries: values['max-retries'],
    timeoutMs: values['timeout-ms'],
    gzip: values.gzip,
    export: values.export,
    splitSalt: values['split-salt'],
  });
  if (!parsed.success) {
    const issue = at(parsed.error.issues, 0, 'issues');
    throw new AttackPoolConfigError(issue.path.join('.') || 'args', issue.message);
  }
  return parsed.data;
}

function makeClient(o: CliOptions, env: CliIo['env']): OpenAICompatibleClient {
  const apiKey = env[o.apiKeyEnv];
  return new OpenAICompatibleClient({
    baseURL: defined(o.endpoint, 'o.endpoint'),
    ...(apiKey ? { apiKey } : {}),
    maxRetries: o.maxRetries,
    timeoutMs: o.timeoutMs,
    concurrency: o.concurrency,
  });
}

function makeWriters(o: CliOptions, env: CliIo['env']): { rewriter: Rewriter; thinkWriter: ThinkWriter } {
  const thinkKind = o.think ?? o.rewriter;
  const client = o.rewriter === 'llm' || thinkKind === 'llm' ? makeClient(o, env) : undefined;
  const rewriter =
    o.rewriter === 'llm'
      ? new LlmRewriter({ client: defined(client, 'client'), model: defined(o.model, 'o.model') })
      : new TemplateRewriter();
  const thinkWriter =
    thinkKind === 'llm'
      ? new LlmThinkWriter({ client: defined(client, 'client'), model: defined(o.model, 'o.model') })
      : new TemplateThinkWriter();
  return { rewriter, thinkWriter };
}

function printReport(report: BuildReport, io: CliIo): void {
  const s = report.stats;
  io.stdout(
    `records ${s.records} (built ${report.built}, resumed ${report.resumed}, duplicates dropped ${report.duplicateRecords}); seeds ${s.seeds} (duplicates ${report.duplicateSeeds}); failures ${report.failures.length}`,
  );
  io.stdout(`splits ${JSON.stringify(s.bySplit)}; format pass rate ${(s.formatPassRate * 100).toFixed(1)}%`);
  io.stdout(`by dataType ${JSON.stringify(s.byDataType)}; by family ${JSON.stringify(s.byFamily)}`);
  io.stdout(`stats: ${report.files.stats}`);
  for (const f of report.failures.slice(0, 5))
    io.stderr(`failed ${f.seedId} × ${f.strategy}: [${f.code}] ${f.message}`);
}

/** Runs the CLI; returns the exit code (0 ok, 1 some items failed, 2 usage/config error). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${USAGE}\n${TOOLS_USAGE}`);
    return 0;
  }
  const command = argv.find((a) => !a.startsWith('-'));
  if (command === 'export' || command === 'classify')
    return runTool(command, argv.slice(argv.indexOf(command) + 1), io);
  let options: CliOptions;
  try {
    options = parseCliArgs(argv);
  } catch (e) {
    io.stderr(`${(e as Error).message}\n\n${USAGE}\n${TOOLS_USAGE}`);
    return 2;
  }
  try {
    const strategies = parseStrategies(options.strategies);
    const seeds: SeedRecord[] = [];
    for (const spec of options.seeds) seeds.push(...(await loadSeedSpec(spec)));
    const report = await buildAttackPool({
      seeds,
      strategies,
      outDir: options.out,
      concurrency: options.concurrency,
      gzip: options.gzip,
      splitSalt: options.splitSalt,
      exports: options.export.split(',').filter((x): x is 'alpaca' | 'chat' => x === 'alpaca' || x === 'chat'),
      ...makeWriters(options, io.env),
      ...(io.signal ? { signal: io.signal } : {}),
    });
    printReport(report, io);
    return report.failures.length > 0 ? 1 : 0;
  } catch (e) {
    io.stderr(AttackPoolError.isInstance(e) ? `[${e.code}] ${e.message}` : String(e));
    return 2;
  }
}

async function runTool(command: 'export' | 'classify', argv: string[], io: CliIo): Promise<number> {
  try {
    if (command === 'export') {
      io.stdout(runExport(argv));
      return 0;
    }
    const { message, failed } = await runClassify(argv, io.env, io.signal);
    io.stdout(message);
    return failed > 0 ? 1 : 0;
  } catch (e) {
    const usage = AttackPoolConfigError.isInstance(e) ? `\n\n${TOOLS_USAGE}` : '';
    io.stderr(`${AttackPoolError.isInstance(e) ? `[${e.code}] ` : ''}${(e as Error).message}${usage}`);
    return 2;
  }
}
