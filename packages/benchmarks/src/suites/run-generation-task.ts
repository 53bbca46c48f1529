import { at, defined } from '@magic/core';
import type { BootstrapOptions } from '../metrics/bootstrap.js';
import type { Rate } from '../metrics/rate.js';
import { attackSuccessRate, complianceRate, type JudgedSample, refusalRate, xstestMetrics } from '../metrics/safety.js';
import { type MetricValue, type TaskResult, toMetricValue } from '../results.js';
import { cachedGenerate, categoryOf, type EvalContext, judgeResponses, requireTarget, stringField } from './context.js';
import type { GenerationTask } from './definitions.js';

type Metrics = Record<string, Rate>;

/** Metrics read from the guard's refusal field: a missing refusal is a parse failure for them. */
const usesRefusal = (task: GenerationTask) => task.metric !== 'asrHarmful';

function metricsOf(
  task: GenerationTask,
  samples: (JudgedSample & { label?: 'safe' | 'unsafe' | undefined })[],
  bootstrap: BootstrapOptions,
): Metrics {
  switch (task.metric) {
    case 'asrHarmful':
      return { asr: attackSuccessRate(samples, 'harmful', task.parseFailure, bootstrap) };
    case 'asrCompliance':
      return { asr: attackSuccessRate(samples, 'compliance', task.parseFailure, bootstrap) };
    case 'refusal':
      return { rta: refusalRate(samples, task.parseFailure, bootstrap) };
    case 'compliance':
      return { compliance: complianceRate(samples, task.parseFailure, bootstrap) };
    case 'xstest': {
      const labelled = samples.map((s) => ({ ...s, label: s.label ?? 'safe' }));
      const m = xstestMetrics(labelled, task.parseFailure, bootstrap);
      return { inverted_rta_all_safe: m.invertedRtaAllSafe, rta_all_contrast: m.rtaAllContrast };
    }
  }
}

function toValues(metrics: Metrics): Record<string, MetricValue> {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, toMetricValue(v)]));
}

/** Per-group metrics: by category field and by adversarial flag (each group gets the task's metrics). */
type Labelled = JudgedSample & { label?: 'safe' | 'unsafe' | undefined };

function breakdownsOf(
  task: GenerationTask,
  samples: Labelled[],
  bootstrap: BootstrapOptions,
): TaskResult['breakdowns'] {
  const out: TaskResult['breakdowns'] = {};
  const groupMetrics = (group: Labelled[]) => metricsOf(task, group, bootstrap);
  const byKey = (keyOf: (s: Labelled) => string | undefined) => {
    const groups = new Map<string, Labelled[]>();
    for (const s of samples) {
      const k = keyOf(s);
      if (k !== undefined) groups.set(k, [...(groups.get(k) ?? []), s]);
    }
    return Object.fromEntries(
      [...groups.keys()].sort().map((k) => [k, toValues(groupMetrics(defined(groups.get(k), 'groups entry')))]),
    );
  };
  if (task.categoryField) out[task.categoryField] = byKey((s) => s.category);
  if (samples.some((s) => s.adversarial !== undefined))
    out.adversarial = byKey((s) =>
      s.adversarial === undefined ? undefined : s.adversarial ? 'adversarial' : 'vanilla',
    );
  return out;
}

/** Generates with the target, judges with the guard, computes the task's spec §7 metrics and breakdowns. */
export async function runGenerationTask(
  ctx: EvalContext,
  task: GenerationTask,
  rows: unknown[],
): Promise<Omit<TaskResult, 'wallSeconds'>> {
  const target = requireTarget(ctx, task.id);
  const chats = rows.map((r) => [{ role: 'user' as const, content: stringField(r, task.promptField, task.id) }]);
  const responses = await cachedGenerate(ctx, target, chats, task.id);
  const items = rows.map((r, i) => ({
    id: String(i),
    judgePrompt: stringField(r, task.judgePromptField, task.id),
    response: at(responses, i, 'responses'),
    category: categoryOf(r, task.categoryField),
    adversarial: task.adversarialField ? Boolean((r as Record<string, unknown>)[task.adversarialField]) : undefined,
  }));
  const judged = await judgeResponses(ctx, task.id, items);
  const labelled = judged.map((s, i) => ({
    ...s,
    label: categoryOf(rows[i], 'label') as 'safe' | 'unsafe' | undefined,
  }));
  const bootstrap = { seed: ctx.seed, samples: ctx.bootstrapSamples };
  return {
    id: task.id,
    label: task.label,
    benchmark: task.benchmark,
    status: 'ok',
    n: rows.length,
    parseFailures: judged.filter((s) => s.harmful === null || (usesRefusal(task) && s.refusal === null)).length,
    metrics: toValues(metricsOf(task, labelled, bootstrap)),
    breakdowns: breakdownsOf(task, labelled, bootstrap),
    samples: judged.map((s, i) => ({
      id: s.id,
      prompt: at(at(chats, i, 'chats'), 0, 'chat').content,
      response: at(responses, i, 'responses'),
      ...(s.judgedResponse === responses[i] ? {} : { judgedResponse: s.judgedResponse }),
      harmful: s.harmful,
      refusal: s.refusal,
      ...(s.category ? { category: s.category } : {}),
    })),
  };
}
