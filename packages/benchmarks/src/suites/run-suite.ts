import { z } from 'zod';
import { UnknownBenchmarkError } from '../errors.js';
import { GenerationCache } from '../generation-cache.js';
import { runDialogueReplayTask, runXTeamingTask } from '../multi-turn/run-multi-turn-tasks.js';
import type { XTeamingAgents } from '../multi-turn/x-teaming.js';
import { approximateTruncator, judgeInputSchema, judgeText, type TokenTruncator } from '../protocol/judge-input.js';
import type { RunResults, TaskResult } from '../results.js';
import { type ChatTarget, type GuardLike, generationParamsSchema } from '../types.js';
import { defaultIsParseFailure, type EvalContext, type ProgressEvent } from './context.js';
import { type SuiteDefinition, type SuiteName, type SuiteTask, suites } from './definitions.js';
import { runAlpacaEvalTask } from './run-alpaca-eval-task.js';
import { runGsm8kTask, runIfevalTask, runMultipleChoiceTask } from './run-capability-task.js';
import { runGenerationTask } from './run-generation-task.js';
import { runJudgeQualityTask } from './run-judge-quality-task.js';
import { loadTaskRows } from './task-rows.js';

/** Numeric knobs of a run; defaults live here only. */
export const runSuiteConfigSchema = z.object({
  /** First `limit` rows of every task (after filters); all rows when absent. */
  limit: z.number().int().positive().optional(),
  /** Batches (generation) or guard calls in flight at once. */
  concurrency: z.number().int().positive().default(4),
  /** Chats per target.generate call. */
  batchSize: z.number().int().positive().default(8),
  seed: z.number().int().default(0),
  bootstrapSamples: z.number().int().positive().default(1000),
  generation: generationParamsSchema.default({ temperature: 0, maxTokens: 512, topP: 1 }),
  /** Only these task ids (default: every task of the suite). */
  tasks: z.array(z.string()).optional(),
  /** Reply preparation before judging (spec §7): `<answer>` extraction on, 512 tokens. */
  judgeInput: judgeInputSchema.default({ extractAnswer: true, maxTokens: 512 }),
});
export type RunSuiteConfigInput = z.input<typeof runSuiteConfigSchema>;

export interface RunSuiteOptions extends RunSuiteConfigInput {
  suite: SuiteName | SuiteDefinition;
  target?: ChatTarget;
  judge?: GuardLike;
  cache?: GenerationCache;
  /** Data paths keyed by task id or benchmark name (overrides the shipped copy; required for unshipped sets). */
  paths?: Record<string, string>;
  /** Pairwise judge for AlpacaEval 2 (any OpenAI-compatible chat model; the task is skipped without it). */
  judgeLlm?: ChatTarget;
  /** Planner/attacker/scorer endpoints for the X-Teaming task (skipped without them). */
  multiTurn?: XTeamingAgents;
  isParseFailure?: (error: unknown) => boolean;
  /** Tokenizer for the judge token budget; default the target's own (`target.truncator`), else an approximation. */
  judgeTruncator?: TokenTruncator;
  onProgress?: (event: ProgressEvent) => void;
}

function resolveSuite(suite: SuiteName | SuiteDefinition): SuiteDefinition {
  if (typeof suite !== 'string') return suite;
  const found = suites[suite];
  if (!found) throw new UnknownBenchmarkError('suite', suite, Object.keys(suites));
  return found;
}

function skipped(task: SuiteTask, reason: string): TaskResult {
  return {
    id: task.id,
    label: task.label,
    benchmark: task.benchmark,
    status: 'skipped',
    skipReason: reason,
    n: 0,
    parseFailures: 0,
    metrics: {},
    breakdowns: {},
    samples: [],
    wallSeconds: 0,
  };
}

async function runTask(
  ctx: EvalContext,
  task: SuiteTask,
  rows: unknown[],
  options: RunSuiteOptions,
): Promise<Omit<TaskResult, 'wallSeconds'> | string> {
  switch (task.kind) {
    case 'generation':
      return runGenerationTask(ctx, task, rows);
    case 'multipleChoice':
      return runMultipleChoiceTask(ctx, task, rows);
    case 'gsm8k':
      return runGsm8kTask(ctx, task, rows);
    case 'ifeval':
      return runIfevalTask(ctx, task, rows);
    case 'judgeQuality':
      return runJudgeQualityTask(ctx, task, rows);
    case 'dialogueReplay':
      return runDialogueReplayTask(ctx, task, rows);
    case 'alpacaEval':
      return options.judgeLlm
        ? runAlpacaEvalTask(ctx, task, rows, options.judgeLlm)
        : 'AlpacaEval 2 needs a pairwise judge (judgeLlm / --judge-llm openai:<url>#<model>)';
    case 'xTeaming':
      return options.multiTurn
        ? runXTeamingTask(ctx, task, rows, options.multiTurn)
        : 'X-Teaming needs multiTurn {planner, attacker, scorer} endpoints';
  }
}

/**
 * Runs a suite: for every task, load rows (shipped data or `paths`), generate through the cache,
 * judge, and compute the spec §7 metrics. A task whose data is not available is recorded as
 * skipped with the reason; any other failure throws.
 */
export async function runSuite(options: RunSuiteOptions): Promise<RunResults> {
  const config = runSuiteConfigSchema.parse(options);
  const suite = resolveSuite(options.suite);
  const truncator = options.judgeTruncator ?? options.target?.truncator ?? approximateTruncator;
  const ctx: EvalContext = {
    target: options.target,
    judge: options.judge,
    cache: options.cache ?? GenerationCache.inMemory(),
    generation: config.generation,
    concurrency: config.concurrency,
    batchSize: config.batchSize,
    seed: config.seed,
    bootstrapSamples: config.bootstrapSamples,
    isParseFailure: options.isParseFailure ?? defaultIsParseFailure,
    judgeText: (response) => judgeText(response, config.judgeInput, truncator),
    onProgress: options.onProgress ?? (() => {}),
    stats: { generated: 0, cached: 0, judgeCalls: 0 },
  };
  const tasks = suite.tasks.filter((t) => config.tasks === undefined || config.tasks.includes(t.id));
  const results: TaskResult[] = [];
  for (const task of tasks) {
    const started = performance.now();
    const loaded = await loadTaskRows(task, options.paths ?? {}, config.limit, config.seed);
    if ('skipReason' in loaded) {
      results.push(skipped(task, loaded.skipReason));
      continue;
    }
    const outcome = await runTask(ctx, task, loaded.rows, options);
    results.push(
      typeof outcome === 'string'
        ? skipped(task, outcome)
        : { ...outcome, wallSeconds: (performance.now() - started) / 1000 },
    );
  }
  await ctx.cache.flush();
  return {
    schemaVersion: 1,
    suite: suite.name,
    target: options.target?.id ?? 'none',
    judge: options.judge?.name ?? null,
    createdAt: new Date().toISOString(),
    limit: config.limit ?? null,
    seed: config.seed,
    generation: config.generation,
    judgeInput: { ...config.judgeInput, tokenizer: truncator.name },
    stats: ctx.stats,
    table: suite.table,
    tasks: results,
  };
}
