import { at } from '@magic/core';
import { mapWithConcurrency } from '../concurrency.js';
import { aggregateIfeval, evaluateIfeval } from '../ifeval/evaluate.js';
import type { Gsm8kRow } from '../loaders/gsm8k.js';
import type { IfevalRow } from '../loaders/ifeval.js';
import type { MultipleChoiceItem } from '../loaders/mmlu.js';
import { gsm8kExactMatch } from '../metrics/gsm8k.js';
import { formatMultipleChoicePrompt, parseAnswerLetter, predictByLogLikelihood } from '../metrics/multiple-choice.js';
import { rateWithCi } from '../metrics/rate.js';
import { type TaskResult, toMetricValue } from '../results.js';
import { cachedGenerate, type EvalContext, requireTarget } from './context.js';
import type { Gsm8kTask, IfevalTask, MultipleChoiceTask } from './definitions.js';

type PartialResult = Omit<TaskResult, 'wallSeconds'>;
const userChat = (content: string) => [{ role: 'user' as const, content }];

function base(
  task: MultipleChoiceTask | Gsm8kTask | IfevalTask,
  n: number,
): Pick<PartialResult, 'id' | 'label' | 'benchmark' | 'status' | 'n'> {
  return { id: task.id, label: task.label, benchmark: task.benchmark, status: 'ok', n };
}

/** Predicted letters: log-likelihood when the target can score continuations, else answer-letter parsing (unparseable = wrong). */
async function predictLetters(
  ctx: EvalContext,
  task: MultipleChoiceTask,
  items: MultipleChoiceItem[],
): Promise<{ predicted: (string | null)[]; responses: (string | null)[] }> {
  const target = requireTarget(ctx, task.id);
  const scorer = target.scoreContinuations?.bind(target);
  if (scorer) {
    const predicted = await mapWithConcurrency(items, ctx.concurrency, (item) =>
      predictByLogLikelihood(item, { scoreContinuations: scorer }),
    );
    return { predicted, responses: items.map(() => null) };
  }
  const responses = await cachedGenerate(
    ctx,
    target,
    items.map((i) => userChat(formatMultipleChoicePrompt(i))),
    task.id,
  );
  return {
    predicted: responses.map((r, i) =>
      parseAnswerLetter(
        r,
        at(items, i, 'items').choices.map((c) => c.label),
      ),
    ),
    responses,
  };
}

export async function runMultipleChoiceTask(
  ctx: EvalContext,
  task: MultipleChoiceTask,
  rows: unknown[],
): Promise<PartialResult> {
  const items = rows as MultipleChoiceItem[];
  const { predicted, responses } = await predictLetters(ctx, task, items);
  const correct = items.map((item, i) => predicted[i] === item.answer);
  const bootstrap = { seed: ctx.seed, samples: ctx.bootstrapSamples };
  const bySubject = new Map<string, boolean[]>();
  for (const [i, item] of items.entries())
    bySubject.set(item.subject, [...(bySubject.get(item.subject) ?? []), at(correct, i, 'correct')]);
  const breakdowns: PartialResult['breakdowns'] =
    task.categoryField === 'subject'
      ? {
          subject: Object.fromEntries(
            [...bySubject].sort().map(([s, c]) => [s, { accuracy: toMetricValue(rateWithCi(c, bootstrap)) }]),
          ),
        }
      : {};
  return {
    ...base(task, items.length),
    parseFailures: predicted.filter((p) => p === null).length,
    metrics: { accuracy: toMetricValue(rateWithCi(correct, bootstrap)) },
    breakdowns,
    samples: items.map((item, i) => ({
      id: item.id,
      response: responses[i] ?? null,
      correct: at(correct, i, 'correct'),
      category: item.subject,
      detail: { predicted: predicted[i], answer: item.answer },
    })),
  };
}

export const gsm8kInstruction =
  'Solve the problem step by step, then give the final answer on its own line as "#### <number>".';

export async function runGsm8kTask(ctx: EvalContext, task: Gsm8kTask, rows: unknown[]): Promise<PartialResult> {
  const items = rows as Gsm8kRow[];
  const responses = await cachedGenerate(
    ctx,
    requireTarget(ctx, task.id),
    items.map((r) => userChat(`${r.question}\n\n${gsm8kInstruction}`)),
    task.id,
  );
  const correct = items.map((r, i) => gsm8kExactMatch(at(responses, i, 'responses'), r.target));
  return {
    ...base(task, items.length),
    parseFailures: 0,
    metrics: { exact_match: toMetricValue(rateWithCi(correct, { seed: ctx.seed, samples: ctx.bootstrapSamples })) },
    breakdowns: {},
    samples: items.map((r, i) => ({
      id: String(i),
      response: at(responses, i, 'responses'),
      correct: at(correct, i, 'correct'),
      detail: { target: r.target },
    })),
  };
}

export async function runIfevalTask(ctx: EvalContext, task: IfevalTask, rows: unknown[]): Promise<PartialResult> {
  const items = rows as IfevalRow[];
  const responses = await cachedGenerate(
    ctx,
    requireTarget(ctx, task.id),
    items.map((r) => userChat(r.prompt)),
    task.id,
  );
  const results = items.map((r, i) => evaluateIfeval(r, at(responses, i, 'responses')));
  const scores = aggregateIfeval(results);
  const bootstrap = { seed: ctx.seed, samples: ctx.bootstrapSamples };
  const metric = (flags: boolean[], value: number) => ({
    ...toMetricValue(rateWithCi(flags, bootstrap)),
    value: Number.isFinite(value) ? value : null,
  });
  return {
    ...base(task, items.length),
    parseFailures: 0,
    metrics: {
      prompt_strict: metric(
        results.map((r) => r.promptStrict),
        scores.promptStrict,
      ),
      prompt_loose: metric(
        results.map((r) => r.promptLoose),
        scores.promptLoose,
      ),
      instruction_strict: metric(
        results.flatMap((r) => r.strict),
        scores.instructionStrict,
      ),
      instruction_loose: metric(
        results.flatMap((r) => r.loose),
        scores.instructionLoose,
      ),
    },
    breakdowns: {},
    samples: results.map((r, i) => ({
      id: String(r.key),
      response: at(responses, i, 'responses'),
      correct: r.promptLoose,
      detail: { instructionIds: at(items, i, 'items').instructionIdList, strict: r.strict, loose: r.loose },
    })),
  };
}
