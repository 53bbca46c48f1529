import { formatFraction, type MetricValue, type RunResults, type TaskResult } from '@magic/benchmarks';
import { at } from '@magic/core';
import type { EvalResults } from '../eval-results.js';
import { type Bar, type BarGroup, barChartSvg, esc, factsTable, htmlPage } from './svg.js';

const bar = (m: MetricValue | undefined): Bar => ({
  value: m?.value ?? null,
  ci: m?.ci ?? null,
  note: m ? `n = ${m.n}${m.count === null ? '' : `, count = ${m.count}`}` : undefined,
});

const cell = (m: MetricValue | undefined) =>
  m
    ? `${formatFraction(m.value)}${m.ci ? ` <small>(${formatFraction(m.ci.lower)}–${formatFraction(m.ci.upper)})</small>` : ''}`
    : '—';

const taskOf = (run: RunResults, id: string) => run.tasks.find((t) => t.id === id);

/** The suite's paper-layout table (Table 1 / Table 2 columns) with CIs. */
function paperTable(run: RunResults): string {
  const head = run.table.columns.map((c) => `<th>${esc(c.header)} ${c.higherIsBetter ? '↑' : '↓'}</th>`).join('');
  const cells = run.table.columns
    .map((c) => `<td class="num">${cell(taskOf(run, c.task)?.metrics[c.metric])}</td>`)
    .join('');
  return `<table><tr><th>${esc(run.table.title)}</th>${head}</tr><tr><td>${esc(run.target)}</td>${cells}</tr></table>`;
}

/** Table columns as one chart (headline numbers with CIs). */
function headlineChart(run: RunResults): string {
  const groups: BarGroup[] = run.table.columns.map((c) => ({
    label: `${c.header} ${c.higherIsBetter ? '↑' : '↓'}`,
    bars: [bar(taskOf(run, c.task)?.metrics[c.metric])],
  }));
  return barChartSvg({ title: `${run.table.title} — 95% CI whiskers`, series: [], groups });
}

/** Adversarial vs vanilla: tasks with an `adversarial` breakdown, and adv/van task pairs (WG, HB). */
function adversarialChart(run: RunResults): string | undefined {
  const groups: BarGroup[] = [];
  for (const task of run.tasks) {
    const split = task.breakdowns['adversarial'];
    if (!split) continue;
    for (const metric of Object.keys(split['adversarial'] ?? split['vanilla'] ?? {})) {
      groups.push({
        label: `${task.id} ${metric}`,
        bars: [bar(split['adversarial']?.[metric]), bar(split['vanilla']?.[metric])],
      });
    }
  }
  const pairs: [string, string, string][] = [
    ['WildGuardTest', 'wgAdv', 'wgVan'],
    ['HarmBench', 'hbAdv', 'hbVan'],
  ];
  for (const [label, adv, van] of pairs) {
    const a = taskOf(run, adv);
    const v = taskOf(run, van);
    if (a?.status === 'ok' || v?.status === 'ok') {
      groups.push({ label: `${label} ASR`, bars: [bar(a?.metrics['asr']), bar(v?.metrics['asr'])] });
    }
  }
  if (groups.length === 0) return undefined;
  return barChartSvg({ title: 'Adversarial vs vanilla', series: ['adversarial', 'vanilla'], groups });
}

function breakdownCharts(task: TaskResult): string[] {
  const out: string[] = [];
  for (const [name, groups] of Object.entries(task.breakdowns)) {
    if (name === 'adversarial') continue;
    const entries = Object.entries(groups);
    if (entries.length === 0) continue;
    const metrics = [...new Set(entries.flatMap(([, g]) => Object.keys(g)))];
    out.push(
      barChartSvg({
        title: `${task.label}: by ${name}`,
        series: metrics.length > 1 ? metrics : [],
        groups: entries.map(([group, values]) => ({
          label: `${group} (n=${Object.values(values)[0]?.n ?? 0})`,
          bars: metrics.map((m) => bar(values[m])),
        })),
      }),
    );
  }
  return out;
}

function taskSection(task: TaskResult): string {
  if (task.status === 'skipped') {
    return `<h3 class="skipped">${esc(task.label)} <code>${esc(task.id)}</code>: skipped</h3><p class="skipped">${esc(task.skipReason ?? '')}</p>`;
  }
  const metrics = Object.entries(task.metrics);
  const chart = barChartSvg({
    title: `${task.label} (n = ${task.n})`,
    series: [],
    groups: metrics.map(([name, m]) => ({ label: name, bars: [bar(m)] })),
  });
  const breakdowns = breakdownCharts(task);
  return [
    `<h3>${esc(task.label)} <code>${esc(task.id)}</code></h3>`,
    `<p>n = ${task.n}, judge parse failures = ${task.parseFailures}, ${task.wallSeconds.toFixed(1)} s</p>`,
    `<figure>${chart}</figure>`,
    breakdowns.length > 0
      ? `<details open><summary>Per-category breakdown</summary>${breakdowns.map((c) => `<figure>${c}</figure>`).join('\n')}</details>`
      : '',
  ].join('\n');
}

function suiteSection(run: RunResults): string {
  const adversarial = adversarialChart(run);
  return [
    `<h2>${esc(run.suite)} suite</h2>`,
    `<p>judge <code>${esc(run.judge ?? 'none')}</code>, limit ${run.limit ?? 'none'}, generations ${run.stats.generated} new / ${run.stats.cached} cached, judge calls ${run.stats.judgeCalls}</p>`,
    paperTable(run),
    `<figure>${headlineChart(run)}</figure>`,
    adversarial ? `<figure>${adversarial}</figure>` : '',
    ...run.tasks.map(taskSection),
  ].join('\n');
}

/** report.html: run metadata, then per suite the paper table, headline chart, adversarial vs vanilla, and per-task charts with breakdowns. */
export function buildEvalReportHtml(results: EvalResults): string {
  const m = results.meta;
  const first = at(results.runs, 0, 'runs');
  const facts: Record<string, string> = {
    target: m.target,
    judge: m.judge ?? 'none',
    suites: m.suites.join(', '),
    backend: m.backend ?? 'n/a (endpoint target)',
    started: m.startedAt,
    'wall time': `${m.wallSeconds.toFixed(1)} s`,
    limit: String(m.limit ?? 'none'),
    seed: String(m.seed),
    generation: `temperature ${first.generation.temperature}, max tokens ${first.generation.maxTokens}, top-p ${first.generation.topP}`,
    generations: `${results.runs.reduce((s, r) => s + r.stats.generated, 0)} new, ${results.runs.reduce((s, r) => s + r.stats.cached, 0)} from cache (${m.cacheFile})`,
    'prompts truncated to fit the context': String(m.truncatedPrompts),
    'data paths':
      Object.entries(m.paths)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || 'shipped data only',
    command: `magic-eval ${m.argv.join(' ')}`,
    node: m.node,
  };
  const body = [
    factsTable(facts),
    '<p>Bars are point estimates; whiskers are percentile-bootstrap 95% confidence intervals. Raw numbers: <a href="results.json">results.json</a>, tables: <a href="results.md">results.md</a>.</p>',
    ...results.runs.map(suiteSection),
  ].join('\n');
  return htmlPage(`magic-eval: ${m.target}`, body);
}
