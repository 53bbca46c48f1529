import {
  compare,
  compareToMarkdown,
  formatFraction,
  type MetricDelta,
  type MetricValue,
  type RunResults,
} from '@magic/benchmarks';
import type { EvalResults } from '../eval-results.js';
import { type Bar, barChartSvg, esc, factsTable, htmlPage } from './svg.js';

export interface SuiteComparison {
  suite: string;
  a: RunResults | undefined;
  b: RunResults | undefined;
  deltas: MetricDelta[];
}

/** Pairs runs by suite name (A's order, then suites only B has); deltas where both ran the suite. */
export function compareEvalResults(a: EvalResults, b: EvalResults, seed = 0): SuiteComparison[] {
  const suites = [...new Set([...a.runs.map((r) => r.suite), ...b.runs.map((r) => r.suite)])];
  return suites.map((suite) => {
    const ra = a.runs.find((r) => r.suite === suite);
    const rb = b.runs.find((r) => r.suite === suite);
    return { suite, a: ra, b: rb, deltas: ra && rb ? compare(ra, rb, { seed }) : [] };
  });
}

/** compare.md: per suite, compareToMarkdown's table (Δ = B − A with its bootstrap CI). */
export function comparisonMarkdown(comparisons: SuiteComparison[], names: { a: string; b: string }): string {
  const parts = [
    `# ${names.b} vs ${names.a}`,
    '',
    'Δ = B − A; ✓ / ✗ mark a significant change for the better / worse (95% CI excludes 0).',
  ];
  for (const c of comparisons) {
    parts.push('', `## ${c.suite}`, '');
    if (!c.a || !c.b) parts.push(`Only in ${c.a ? names.a : names.b}: nothing to compare.`);
    else parts.push(compareToMarkdown(c.deltas, names));
  }
  return `${parts.join('\n')}\n`;
}

const metricOf = (run: RunResults | undefined, d: MetricDelta): MetricValue | undefined =>
  run?.tasks.find((t) => t.id === d.task)?.metrics[d.metric];
const asBar = (m: MetricValue | undefined): Bar => ({ value: m?.value ?? null, ci: m?.ci ?? null });
const label = (d: MetricDelta) => d.header ?? `${d.task}/${d.metric}`;

function deltaClass(d: MetricDelta): string {
  if (!d.significant || d.higherIsBetter === null || d.delta === null) return '';
  return d.delta > 0 === d.higherIsBetter ? 'better' : 'worse';
}

function suiteHtml(c: SuiteComparison, names: { a: string; b: string }): string {
  if (!c.a || !c.b)
    return `<h2>${esc(c.suite)}</h2><p>Only in ${esc(c.a ? names.a : names.b)}: nothing to compare.</p>`;
  const rows = c.deltas
    .map((d) => {
      const ci = d.deltaCi ? `${formatFraction(d.deltaCi.lower)} to ${formatFraction(d.deltaCi.upper)}` : '—';
      const delta = d.delta === null ? '—' : `${d.delta >= 0 ? '+' : ''}${formatFraction(d.delta)}`;
      const arrow = d.higherIsBetter === null ? '' : d.higherIsBetter ? ' ↑' : ' ↓';
      return `<tr><td>${esc(label(d))}${arrow}</td><td class="num">${formatFraction(d.a)}</td><td class="num">${formatFraction(d.b)}</td><td class="num ${deltaClass(d)}">${delta}</td><td class="num">${ci}</td></tr>`;
    })
    .join('\n');
  const shown = c.deltas.filter((d) => d.a !== null || d.b !== null);
  const paired = barChartSvg({
    title: `${c.suite}: ${names.a} vs ${names.b} (95% CI whiskers)`,
    series: [names.a, names.b],
    groups: shown.map((d) => ({ label: label(d), bars: [asBar(metricOf(c.a, d)), asBar(metricOf(c.b, d))] })),
  });
  const deltas = barChartSvg({
    title: `${c.suite}: Δ = ${names.b} − ${names.a} (bootstrap 95% CI)`,
    series: [],
    groups: shown.map((d) => ({ label: label(d), bars: [{ value: d.delta, ci: d.deltaCi }] })),
    domain: deltaDomain(shown),
  });
  return [
    `<h2>${esc(c.suite)}</h2>`,
    `<table><tr><th>metric</th><th>${esc(names.a)}</th><th>${esc(names.b)}</th><th>Δ</th><th>Δ 95% CI</th></tr>${rows}</table>`,
    `<figure>${paired}</figure>`,
    `<figure>${deltas}</figure>`,
  ].join('\n');
}

function deltaDomain(deltas: MetricDelta[]): [number, number] {
  const m = Math.max(
    0.05,
    ...deltas.flatMap((d) => [d.delta, d.deltaCi?.lower, d.deltaCi?.upper].map((v) => Math.abs(v ?? 0))),
  );
  return [-m, m];
}

/** compare.html: both runs' facts, then per suite the delta table, paired A/B bars with CIs and a Δ chart. */
export function comparisonHtml(
  comparisons: SuiteComparison[],
  runs: { a: EvalResults; b: EvalResults },
  names: { a: string; b: string },
): string {
  const facts = (r: EvalResults) =>
    `${r.meta.target} (judge ${r.meta.judge ?? 'none'}, limit ${r.meta.limit ?? 'none'}, ${r.meta.startedAt})`;
  const body = [
    factsTable({ [`A: ${names.a}`]: facts(runs.a), [`B: ${names.b}`]: facts(runs.b) }),
    '<p>Δ = B − A. Green / red: significant change for the better / worse (the bootstrap 95% CI of Δ excludes 0).</p>',
    ...comparisons.map((c) => suiteHtml(c, names)),
  ].join('\n');
  return htmlPage(`magic-eval compare: ${names.b} vs ${names.a}`, body);
}
