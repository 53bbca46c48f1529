import { at } from '@magic/core';
import { mapWithConcurrency } from '../concurrency.js';
import {
  binaryClassificationCis,
  binaryClassificationMetrics,
  type LabelledPrediction,
} from '../metrics/judge-quality.js';
import type { MetricValue, TaskResult } from '../results.js';
import { type EvalContext, orParseFailure, readVerdict, requireJudge, stringField } from './context.js';
import type { JudgeQualityTask } from './definitions.js';

type Against = JudgeQualityTask['labels'][number]['against'];

/** The guard's answer for one row: prompt harm via moderatePrompt, response harm/refusal via moderateResponse. Null = parse failure. */
async function predictRow(
  ctx: EvalContext,
  task: JudgeQualityTask,
  row: unknown,
): Promise<Record<Against, boolean | null>> {
  const judge = requireJudge(ctx, task.id);
  const prompt = stringField(row, task.promptField, task.id);
  const needs = new Set(task.labels.map((l) => l.against));
  const out: Record<Against, boolean | null> = { promptHarm: null, responseHarm: null, responseRefusal: null };
  if (needs.has('promptHarm')) {
    const v = await orParseFailure(ctx, () => judge.moderatePrompt(prompt));
    out.promptHarm = v === null ? null : readVerdict(v).harmful;
  }
  // A row without a response (null) has no response labels to score (the loader guarantees it).
  const hasResponse = task.responseField !== undefined && (row as Record<string, unknown>)[task.responseField] !== null;
  if (task.responseField && hasResponse && (needs.has('responseHarm') || needs.has('responseRefusal'))) {
    const response = stringField(row, task.responseField, task.id);
    const v = await orParseFailure(ctx, () => judge.moderateResponse(prompt, response));
    const read = v === null ? null : readVerdict(v);
    out.responseHarm = read?.harmful ?? null;
    out.responseRefusal = read?.refusal ?? null;
  }
  return out;
}

/**
 * Scores every label column over the given rows (rows with an empty label are skipped for that column), with
 * bootstrap CIs (rows sharing `task.groupField` resampled together).
 */
function scoreLabels(
  ctx: EvalContext,
  task: JudgeQualityTask,
  rows: unknown[],
  predictions: Record<Against, boolean | null>[],
): { metrics: Record<string, MetricValue>; parseFailures: number } {
  const metrics: Record<string, MetricValue> = {};
  let parseFailures = 0;
  for (const label of task.labels) {
    const pairs: (LabelledPrediction & { cluster?: string })[] = [];
    for (const [i, row] of rows.entries()) {
      const record = row as Record<string, unknown>;
      const gold = record[label.field];
      if (gold === null || gold === undefined || gold === '') continue;
      const group = task.groupField === undefined ? undefined : record[task.groupField];
      pairs.push({
        predicted: at(predictions, i, 'predictions')[label.against],
        label: gold === label.positive,
        ...(typeof group === 'string' ? { cluster: group } : {}),
      });
    }
    const m = binaryClassificationMetrics(pairs);
    const cis = binaryClassificationCis(pairs, { samples: ctx.bootstrapSamples, seed: ctx.seed });
    parseFailures += m.parseFailures;
    metrics[`${label.against}_positives`] = { value: m.tp + m.fn, n: m.n, count: m.tp + m.fn, ci: null };
    for (const key of ['precision', 'recall', 'f1', 'accuracy'] as const)
      metrics[`${label.against}_${key}`] = { value: m[key], n: m.n, count: null, ci: cis?.[key] ?? null };
  }
  return { metrics, parseFailures };
}

/** Precision / recall / F1 / accuracy of the guard against each label column (rows with an empty label are skipped for it). */
export async function runJudgeQualityTask(
  ctx: EvalContext,
  task: JudgeQualityTask,
  rows: unknown[],
): Promise<Omit<TaskResult, 'wallSeconds'>> {
  let done = 0;
  const predictions = await mapWithConcurrency(rows, ctx.concurrency, async (row) => {
    const p = await predictRow(ctx, task, row);
    done += 1;
    ctx.onProgress({ task: task.id, phase: 'judge', done, total: rows.length });
    return p;
  });
  const all = scoreLabels(ctx, task, rows, predictions);
  const breakdowns: TaskResult['breakdowns'] = {};
  if (task.adversarialField) {
    const field = task.adversarialField;
    const split = (flag: boolean) =>
      rows.flatMap((row, i) => (Boolean((row as Record<string, unknown>)[field]) === flag ? [i] : []));
    const group = (indices: number[]) =>
      scoreLabels(
        ctx,
        task,
        indices.map((i) => rows[i]),
        indices.map((i) => at(predictions, i, 'predictions')),
      ).metrics;
    breakdowns.adversarial = { adversarial: group(split(true)), vanilla: group(split(false)) };
  }
  return {
    id: task.id,
    label: task.label,
    benchmark: task.benchmark,
    status: 'ok',
    n: rows.length,
    parseFailures: all.parseFailures,
    metrics: all.metrics,
    breakdowns,
    samples: [],
  };
}
