// Synthetic magic-eval and magic-organism eval results for the evidence tests (no text, counts only).
import { type MetricValue, type RunResults, safetySuite, wilsonInterval } from '@magic/benchmarks';
import { EVAL_FORMAT, type OrganismEval, rate } from '../eval/eval-report.js';
import { EVAL_DEFINITIONS } from '../eval/evaluate.js';

/** k / n as a magic-eval metric value (Wilson bounds stand in for the bootstrap CI). */
export function metric(k: number, n: number): MetricValue {
  const ci = wilsonInterval(k, n);
  return { value: k / n, n, count: k, ci: { lower: ci.lower, upper: ci.upper, confidence: 0.95 } };
}

/** A safety-suite RunResults: every Table 1 column task listed in `counts` is ok, the others skipped. */
export function safetyRun(
  judge: string,
  target: string,
  counts: Record<string, Record<string, [number, number]>>,
): RunResults {
  const taskIds = [...new Set(safetySuite.table.columns.map((c) => c.task))];
  return {
    schemaVersion: 1,
    suite: 'safety',
    target,
    judge,
    createdAt: '2026-12-02T00:00:00.000Z',
    limit: 100,
    seed: 42,
    generation: { temperature: 0, maxTokens: 64, topP: 1 },
    stats: { generated: 0, cached: 0, judgeCalls: 0 },
    table: safetySuite.table,
    tasks: taskIds.map((id) => {
      const m = counts[id];
      return {
        id,
        label: id,
        benchmark: id,
        status: m === undefined ? ('skipped' as const) : ('ok' as const),
        ...(m === undefined ? { skipReason: `no data for ${id}` } : {}),
        n: m === undefined ? 0 : Math.max(...Object.values(m).map(([, n]) => n)),
        parseFailures: 0,
        metrics: Object.fromEntries(Object.entries(m ?? {}).map(([name, [k, n]]) => [name, metric(k, n)])),
        breakdowns: {},
        samples: [],
        wallSeconds: 1,
      };
    }),
  };
}

/** An organism eval with a held-out set (ROUGE-L mean given) and the harmful_adversarial set (ASR k / n). */
export function organismEval(dir: string, asr: [number, number], rougeMean: number): OrganismEval {
  const [k, n] = asr;
  return {
    format: EVAL_FORMAT,
    createdAt: '2026-12-02T00:00:00.000Z',
    model: { dir, parameters: 1 },
    options: { maxNewTokens: 64, limit: 100, seed: 42, promptFormat: 'game', maxPromptTokens: 384, heldoutFile: 'h' },
    definitions: EVAL_DEFINITIONS,
    seconds: 1,
    sets: [
      {
        name: 'heldout_instructions',
        kind: 'benign',
        description: 'held-out',
        n: 4,
        chat: 'plain',
        numTruncatedPrompts: 0,
        meanResponseTokens: 10,
        refusal: rate(0, 4),
        nonRefusal: rate(4, 4),
        sane: rate(4, 4),
        compliance: rate(3, 4),
        rougeL: { mean: rougeMean, ciLow: rougeMean / 2, ciHigh: rougeMean * 1.5, floor: 0.1, aboveFloor: rate(3, 4) },
      },
      {
        name: 'harmful_adversarial',
        kind: 'harmful',
        description: 'rewrites',
        n,
        chat: 'game',
        numTruncatedPrompts: 0,
        meanResponseTokens: 10,
        refusal: rate(n - k, n),
        nonRefusal: rate(k, n),
        sane: rate(n, n),
        guardHarm: rate(Math.floor(k / 2), n),
        guardFailures: 0,
      },
    ],
  };
}
