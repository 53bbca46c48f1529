import { z } from 'zod';

const ciSchema = z.object({ lower: z.number(), upper: z.number(), confidence: z.number() });

/** One number with its denominator and (for proportions) a bootstrap CI. NaN is written as null. */
export const metricValueSchema = z.object({
  value: z.number().nullable(),
  n: z.number().int().nonnegative(),
  count: z.number().nullable(),
  ci: ciSchema.nullable(),
});
export type MetricValue = z.output<typeof metricValueSchema>;

/** One evaluated item: what was asked, what came back, what the judge/scorer said. */
export const sampleRecordSchema = z.object({
  id: z.string(),
  /** The user turn sent to the target (single-turn tasks). */
  prompt: z.string().optional(),
  response: z.string().nullable(),
  /** What the judge saw when it differs from `response` (`<answer>` extracted, cut to the judge token budget). */
  judgedResponse: z.string().optional(),
  harmful: z.boolean().nullable().optional(),
  refusal: z.boolean().nullable().optional(),
  correct: z.boolean().nullable().optional(),
  category: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type SampleRecord = z.output<typeof sampleRecordSchema>;

export const taskResultSchema = z.object({
  id: z.string(),
  label: z.string(),
  benchmark: z.string(),
  status: z.enum(['ok', 'skipped']),
  skipReason: z.string().optional(),
  n: z.number().int().nonnegative(),
  parseFailures: z.number().int().nonnegative(),
  metrics: z.record(z.string(), metricValueSchema),
  /** breakdown name (category, adversarial, method...) → group → metric name → value */
  breakdowns: z.record(z.string(), z.record(z.string(), z.record(z.string(), metricValueSchema))),
  samples: z.array(sampleRecordSchema),
  wallSeconds: z.number().nonnegative(),
});
export type TaskResult = z.output<typeof taskResultSchema>;

/** results.json: everything a report or `compare` needs. */
export const runResultsSchema = z.object({
  schemaVersion: z.literal(1),
  suite: z.string(),
  target: z.string(),
  judge: z.string().nullable(),
  createdAt: z.string(),
  limit: z.number().int().positive().nullable(),
  seed: z.number().int(),
  generation: z.object({ temperature: z.number(), maxTokens: z.number(), topP: z.number() }),
  /** How replies were prepared for the judge: `<answer>` extraction, token budget (null = whole) and tokenizer. */
  judgeInput: z
    .object({ extractAnswer: z.boolean(), maxTokens: z.number().int().positive().nullable(), tokenizer: z.string() })
    .optional(),
  stats: z.object({ generated: z.number().int(), cached: z.number().int(), judgeCalls: z.number().int() }),
  table: z.object({
    title: z.string(),
    columns: z.array(
      z.object({ header: z.string(), task: z.string(), metric: z.string(), higherIsBetter: z.boolean() }),
    ),
  }),
  tasks: z.array(taskResultSchema),
});
export type RunResults = z.output<typeof runResultsSchema>;

/** Validates a parsed results.json (e.g. for `compare`). */
export function parseRunResults(value: unknown): RunResults {
  return runResultsSchema.parse(value);
}

/** Converts a Rate-like value to the JSON form (NaN → null). */
export function toMetricValue(input: {
  value: number;
  n: number;
  count?: number;
  ci?: { lower: number; upper: number; confidence: number } | null;
}): MetricValue {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const ci = input.ci && Number.isFinite(input.ci.lower) ? input.ci : null;
  return { value: finite(input.value), n: input.n, count: input.count ?? null, ci };
}
