import { createHash } from 'node:crypto';
import { at, defined } from '@magic/core';
import { EvaluationError } from '../errors.js';
import type { AlpacaEvalRow } from '../loaders/alpaca-eval.js';
import { lengthControlledWinRate } from '../metrics/length-controlled.js';
import { type TaskResult, toMetricValue } from '../results.js';
import type { ChatTarget } from '../types.js';
import { cachedGenerate, type EvalContext, requireTarget } from './context.js';
import type { AlpacaEvalTask } from './definitions.js';

/** The pairwise prompt for `--judge-llm` (own wording; alpaca_eval's annotator asks the same question). */
export function pairwiseJudgePrompt(instruction: string, outputA: string, outputB: string): string {
  return [
    'You compare two answers to the same instruction and pick the one a careful human would prefer',
    '(more helpful, accurate and relevant; length alone is not a merit).',
    `Instruction:\n${instruction}`,
    `Output A:\n${outputA}`,
    `Output B:\n${outputB}`,
    'Reply with one letter only: A or B.',
  ].join('\n\n');
}

/** The judge's pick: the first standalone A or B of the reply ("A", "Output B", "**B**"), else null. */
export function parsePairwiseVerdict(reply: string): 'A' | 'B' | null {
  const match = /(?:^|[^A-Za-z])([AB])(?![A-Za-z])/.exec(reply.trim());
  return (match?.[1] as 'A' | 'B' | undefined) ?? null;
}

/** Whether the model's output is shown first, from the run seed and the instruction (alpaca_eval randomises too). */
function modelFirst(seed: number, instruction: string): boolean {
  return (at(createHash('sha256').update(`${seed}\0${instruction}`).digest(), 0, 'digest') & 1) === 1;
}

/**
 * AlpacaEval 2: the target answers each instruction, `judgeLlm` compares its output with the row's reference
 * `output` (the baseline, GPT-4-turbo in the paper) in a seeded random order, and the length-controlled win rate
 * is fitted on the verdicts (metrics/length-controlled.ts). Lengths are in characters, as in alpaca_eval.
 */
export async function runAlpacaEvalTask(
  ctx: EvalContext,
  task: AlpacaEvalTask,
  rows: unknown[],
  judgeLlm: ChatTarget,
): Promise<Omit<TaskResult, 'wallSeconds'>> {
  const items = rows as AlpacaEvalRow[];
  items.forEach((r, i) => {
    if (r.output === undefined)
      throw new EvaluationError(
        `row ${i + 1} has no reference output (use the baseline file, e.g. alpaca_eval_gpt4_baseline.json)`,
        task.id,
      );
  });
  const outputs = await cachedGenerate(
    ctx,
    requireTarget(ctx, task.id),
    items.map((r) => [{ role: 'user' as const, content: r.instruction }]),
    task.id,
  );
  const first = items.map((r) => modelFirst(ctx.seed, r.instruction));
  // the judge answers greedily with a short budget whatever the target's sampling settings (stats stay shared)
  const judgeCtx: EvalContext = { ...ctx, generation: { ...ctx.generation, temperature: 0, maxTokens: 64 } };
  const replies = await cachedGenerate(
    judgeCtx,
    judgeLlm,
    items.map((r, i) => [
      {
        role: 'user' as const,
        content: first[i]
          ? pairwiseJudgePrompt(r.instruction, at(outputs, i, 'outputs'), defined(r.output, 'r.output'))
          : pairwiseJudgePrompt(r.instruction, defined(r.output, 'r.output'), at(outputs, i, 'outputs')),
      },
    ]),
    `${task.id} (judge)`,
  );
  const preferences = replies.map((reply, i) => {
    const pick = parsePairwiseVerdict(reply);
    if (pick === null) return null;
    return (pick === 'A') === first[i] ? 1 : 0;
  });
  const lc = lengthControlledWinRate(
    items.map((r, i) => ({
      preference: at(preferences, i, 'preferences'),
      modelLength: at(outputs, i, 'outputs').length,
      baselineLength: defined(r.output, 'r.output').length,
      instructionDifficulty: r.instruction_difficulty,
    })),
  );
  const n = lc.n;
  return {
    id: task.id,
    label: task.label,
    benchmark: task.benchmark,
    status: 'ok',
    n: items.length,
    parseFailures: preferences.filter((p) => p === null).length,
    metrics: {
      lc_win_rate: toMetricValue({ value: lc.lengthControlledWinRate, n }),
      win_rate: toMetricValue({ value: lc.winRate, n }),
    },
    breakdowns: {},
    samples: items.map((r, i) => ({
      id: String(i),
      prompt: r.instruction,
      response: at(outputs, i, 'outputs'),
      correct: preferences[i] === null ? null : preferences[i] === 1,
      ...(r.dataset ? { category: r.dataset } : {}),
      detail: { judgeReply: replies[i], modelShownFirst: first[i], glmWeights: lc.weights },
    })),
  };
}
