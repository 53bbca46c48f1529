import { at } from '@magic/core';
/** A metrics.jsonl line; values may be numbers, strings, null or absent (a metric nothing was measured for). */
export type MetricsLine = Readonly<Record<string, unknown>>;

export interface Series {
  name: string;
  color: readonly [number, number, number];
  points: { step: number; value: number }[];
}

export interface ChartSpec {
  title: string;
  /** What the y axis measures (the x axis is always the training step). */
  yLabel: string;
  series: Series[];
}

export interface AgentSpan {
  from: number;
  to: number;
  role: 'attacker' | 'defender';
}

const PALETTE: readonly (readonly [number, number, number])[] = [
  [31, 119, 180],
  [214, 39, 40],
  [44, 160, 44],
  [255, 127, 14],
  [148, 103, 189],
  [140, 86, 75],
];

/** A metric over steps; steps where it is absent, null or NaN (nothing was judged) are skipped, never drawn as 0. */
function seriesOf(records: readonly MetricsLine[], key: string, i: number, label = key): Series {
  const points = records
    .filter((r) => typeof r[key] === 'number' && Number.isFinite(r[key]) && typeof r['step'] === 'number')
    .map((r) => ({ step: r['step'] as number, value: r[key] as number }));
  return { name: label, color: at(PALETTE, i % PALETTE.length, 'palette'), points };
}

/** The report's charts: rewards, attack success, refusal/compliance; empty series are dropped. */
export function buildCharts(records: readonly MetricsLine[]): ChartSpec[] {
  const train = records.filter((r) => r['phase'] === 'phase2');
  const val = records.filter((r) => r['phase'] === 'phase2' || r['phase'] === 'val0');
  const charts: ChartSpec[] = [
    {
      title: 'Rewards (train batch means)',
      yLabel: 'reward',
      series: [
        seriesOf(train, 'reward/response_harm', 0),
        seriesOf(train, 'reward/response_refusal', 1),
        seriesOf(train, 'reward/format', 2),
        seriesOf(train, 'reward/defender_score_mean', 3),
        seriesOf(train, 'reward/attacker_score_mean', 4),
      ],
    },
    {
      title: 'Attack success rate',
      yLabel: 'ASR',
      series: [seriesOf(train, 'reward/asr', 1, 'train ASR (batch)'), seriesOf(val, 'val/asr', 0, 'validation ASR')],
    },
    {
      title: 'Refusal and compliance',
      yLabel: 'rate',
      series: [
        seriesOf(train, 'reward/refusal_rate_harmful', 0),
        seriesOf(train, 'reward/refusal_rate_benign', 1),
        seriesOf(val, 'val/refusal_rate_benign', 2),
        seriesOf(val, 'val/compliance_rate_benign', 3),
      ],
    },
  ];
  return charts
    .map((c) => ({ ...c, series: c.series.filter((s) => s.points.length > 0) }))
    .filter((c) => c.series.length > 0);
}

/** Contiguous runs of the trained agent (from `train/current_agent_name`). */
export function agentSpans(records: readonly MetricsLine[]): AgentSpan[] {
  const spans: AgentSpan[] = [];
  for (const r of records) {
    if (r['phase'] !== 'phase2') continue;
    const role = r['train/current_agent_name'];
    const step = r['step'];
    if ((role !== 'attacker' && role !== 'defender') || typeof step !== 'number') continue;
    const last = spans.at(-1);
    if (last && last.role === role && last.to === step - 1) last.to = step;
    else spans.push({ from: step, to: step, role });
  }
  return spans;
}

/** Axis ranges shared by the SVG and PNG renderers. */
export function chartBounds(chart: ChartSpec, spans: AgentSpan[]): { x0: number; x1: number; y0: number; y1: number } {
  const steps = chart.series.flatMap((s) => s.points.map((p) => p.step)).concat(spans.flatMap((s) => [s.from, s.to]));
  const values = chart.series.flatMap((s) => s.points.map((p) => p.value));
  const x0 = Math.min(0, ...steps);
  const x1 = Math.max(x0 + 1, ...steps);
  let y0 = Math.min(0, ...values);
  let y1 = Math.max(1, ...values);
  if (y1 - y0 < 1e-9) {
    y0 -= 1;
    y1 += 1;
  }
  return { x0, x1, y0, y1 };
}
