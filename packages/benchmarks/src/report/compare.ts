import { at, defined } from '@magic/core';
import { type BootstrapOptions, type ConfidenceInterval, mulberry32 } from '../metrics/bootstrap.js';
import type { MetricValue, RunResults } from '../results.js';
import { formatFraction } from './markdown.js';

export interface MetricDelta {
  task: string;
  metric: string;
  header: string | null;
  higherIsBetter: boolean | null;
  a: number | null;
  b: number | null;
  delta: number | null;
  /** Bootstrap CI of b − a (proportions only: both runs resampled independently from their counts). */
  deltaCi: ConfidenceInterval | null;
  /** The CI excludes 0. */
  significant: boolean | null;
}

function resampleProportion(count: number, n: number, rng: () => number): number {
  let hits = 0;
  for (let i = 0; i < n; i += 1) if (Math.floor(rng() * n) < count) hits += 1;
  return hits / n;
}

/** Percentile bootstrap CI of the difference of two proportions given as count/n (same index rule as bootstrapCi). */
export function proportionDeltaCi(
  a: { count: number; n: number },
  b: { count: number; n: number },
  options: BootstrapOptions = {},
): ConfidenceInterval {
  const confidence = options.confidence ?? 0.95;
  const samples = options.samples ?? 1000;
  const rng = options.rng ?? mulberry32(options.seed ?? 0);
  const deltas = Array.from(
    { length: samples },
    () => resampleProportion(b.count, b.n, rng) - resampleProportion(a.count, a.n, rng),
  ).sort((x, y) => x - y);
  const alpha = 1 - confidence;
  return {
    lower: at(deltas, Math.floor((alpha / 2) * samples), 'deltas'),
    upper: at(deltas, Math.max(0, Math.ceil((1 - alpha / 2) * samples) - 1), 'deltas'),
    confidence,
  };
}

function deltaOf(
  task: string,
  metric: string,
  a: MetricValue | undefined,
  b: MetricValue | undefined,
  options: BootstrapOptions,
): Omit<MetricDelta, 'header' | 'higherIsBetter'> {
  const av = a?.value ?? null;
  const bv = b?.value ?? null;
  const delta = av === null || bv === null ? null : bv - av;
  const proportions = a && b && a.count !== null && b.count !== null && a.n > 0 && b.n > 0;
  const deltaCi = proportions
    ? proportionDeltaCi(
        { count: defined(a.count, 'a.count'), n: a.n },
        { count: defined(b.count, 'b.count'), n: b.n },
        options,
      )
    : null;
  return {
    task,
    metric,
    a: av,
    b: bv,
    delta,
    deltaCi,
    significant: deltaCi ? deltaCi.lower > 0 || deltaCi.upper < 0 : null,
  };
}

/** Before/after: every metric present in either run (table columns first), with b − a and its bootstrap CI. */
export function compare(runA: RunResults, runB: RunResults, options: BootstrapOptions = {}): MetricDelta[] {
  const find = (run: RunResults, task: string) => run.tasks.find((t) => t.id === task)?.metrics;
  const seen = new Set<string>();
  const out: MetricDelta[] = [];
  for (const c of runB.table.columns) {
    seen.add(`${c.task}/${c.metric}`);
    out.push({
      ...deltaOf(c.task, c.metric, find(runA, c.task)?.[c.metric], find(runB, c.task)?.[c.metric], options),
      header: c.header,
      higherIsBetter: c.higherIsBetter,
    });
  }
  const tasks = new Set([...runA.tasks, ...runB.tasks].map((t) => t.id));
  for (const task of tasks) {
    const metrics = new Set([...Object.keys(find(runA, task) ?? {}), ...Object.keys(find(runB, task) ?? {})]);
    for (const metric of metrics) {
      if (seen.has(`${task}/${metric}`)) continue;
      out.push({
        ...deltaOf(task, metric, find(runA, task)?.[metric], find(runB, task)?.[metric], options),
        header: null,
        higherIsBetter: null,
      });
    }
  }
  return out;
}

/** The comparison as a Markdown table: metric | A | B | Δ | Δ 95% CI (✓ better / ✗ worse when significant). */
export function compareToMarkdown(
  deltas: readonly MetricDelta[],
  names: { a: string; b: string } = { a: 'A', b: 'B' },
): string {
  const lines = [`| metric | ${names.a} | ${names.b} | Δ | Δ 95% CI |`, '| --- | --- | --- | --- | --- |'];
  for (const d of deltas) {
    const label = d.header ?? `${d.task}/${d.metric}`;
    const ci = d.deltaCi ? `${formatFraction(d.deltaCi.lower)} to ${formatFraction(d.deltaCi.upper)}` : '—';
    const better =
      d.significant && d.higherIsBetter !== null && d.delta !== null
        ? d.delta > 0 === d.higherIsBetter
          ? ' ✓'
          : ' ✗'
        : '';
    lines.push(
      `| ${label} | ${formatFraction(d.a)} | ${formatFraction(d.b)} | ${d.delta === null ? '—' : (d.delta >= 0 ? '+' : '') + formatFraction(d.delta)}${better} | ${ci} |`,
    );
  }
  return lines.join('\n');
}
