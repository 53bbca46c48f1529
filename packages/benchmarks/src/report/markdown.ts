import type { MetricValue, RunResults, TaskResult } from '../results.js';

/** `.365` as in the paper tables; null → `—`. */
export function formatFraction(value: number | null): string {
  if (value === null) return '—';
  const fixed = value.toFixed(3);
  return fixed.startsWith('0.') ? fixed.slice(1) : fixed.startsWith('-0.') ? `-${fixed.slice(2)}` : fixed;
}

function formatCell(metric: MetricValue | undefined, withCi: boolean): string {
  if (!metric) return '—';
  const value = formatFraction(metric.value);
  return withCi && metric.ci
    ? `${value} (${formatFraction(metric.ci.lower)}–${formatFraction(metric.ci.upper)})`
    : value;
}

function taskOf(results: RunResults, id: string): TaskResult | undefined {
  return results.tasks.find((t) => t.id === id);
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

/**
 * The suite's paper-layout table (Table 1 for safety, Table 2 for capability...), one row per run.
 * Headers carry ↑/↓; cells are fractions like `.365`, optionally with the 95% CI.
 */
export function formatSuiteTable(
  runs: readonly { name: string; results: RunResults }[],
  options: { withCi?: boolean } = {},
): string {
  const first = runs[0];
  if (!first) return '';
  const columns = first.results.table.columns;
  const header = row(['model', ...columns.map((c) => `${c.header} ${c.higherIsBetter ? '↑' : '↓'}`)]);
  const rule = row(['---', ...columns.map(() => '---')]);
  const body = runs.map((run) =>
    row([
      run.name,
      ...columns.map((c) => formatCell(taskOf(run.results, c.task)?.metrics[c.metric], options.withCi ?? false)),
    ]),
  );
  return [`**${first.results.table.title}**`, '', header, rule, ...body].join('\n');
}

function breakdownTable(name: string, groups: Record<string, Record<string, MetricValue>>): string {
  const metrics = [...new Set(Object.values(groups).flatMap((g) => Object.keys(g)))];
  const lines = [row([name, 'n', ...metrics]), row(['---', '---', ...metrics.map(() => '---')])];
  for (const [group, values] of Object.entries(groups)) {
    const n = Object.values(values)[0]?.n ?? 0;
    lines.push(row([group, String(n), ...metrics.map((m) => formatCell(values[m], true))]));
  }
  return lines.join('\n');
}

function taskSection(task: TaskResult): string {
  if (task.status === 'skipped')
    return `### ${task.label} (\`${task.id}\`)\n\nSkipped: ${task.skipReason ?? 'no reason given'}`;
  const metrics = Object.entries(task.metrics).map(
    ([k, v]) => `- ${k}: ${formatCell(v, true)} (n = ${v.n}${v.count === null ? '' : `, count = ${v.count}`})`,
  );
  const parts = [
    `### ${task.label} (\`${task.id}\`)`,
    '',
    `n = ${task.n}, judge parse failures = ${task.parseFailures}, ${task.wallSeconds.toFixed(1)} s`,
    '',
    ...metrics,
  ];
  for (const [name, groups] of Object.entries(task.breakdowns))
    if (Object.keys(groups).length > 0) parts.push('', breakdownTable(name, groups));
  return parts.join('\n');
}

/** A whole run as Markdown: header facts, the paper-layout table with CIs, then every task with its breakdowns. */
export function resultsToMarkdown(results: RunResults, name = results.target): string {
  const facts = [
    `# ${results.suite} suite: ${name}`,
    '',
    `target \`${results.target}\`, judge \`${results.judge ?? 'none'}\`, limit ${results.limit ?? 'none'}, seed ${results.seed}, temperature ${results.generation.temperature}, max tokens ${results.generation.maxTokens}, ${results.createdAt}`,
    `generations: ${results.stats.generated} new, ${results.stats.cached} from cache; judge calls: ${results.stats.judgeCalls}`,
  ];
  return [
    ...facts,
    '',
    formatSuiteTable([{ name, results }], { withCi: true }),
    '',
    '## Tasks',
    '',
    results.tasks.map(taskSection).join('\n\n'),
    '',
  ].join('\n');
}
