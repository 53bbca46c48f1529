import type { MetricsRecord } from '@magic/game';
import { describe, expect, it } from 'vitest';
import { agentSpans, buildCharts } from './charts.js';
import { buildReport } from './report.js';

const records: MetricsRecord[] = [
  { step: 0, phase: 'val0', 'val/asr': 0.5 },
  ...[1, 2, 3, 4, 5].map((step) => ({
    step,
    phase: 'phase2',
    'train/current_agent_name': step <= 2 ? 'defender' : 'attacker',
    'reward/response_harm': step / 10,
    'reward/refusal_rate_benign': 0.2,
    ...(step === 4 ? { 'val/asr': 0.25 } : {}),
  })),
];

describe('report', () => {
  it('derives agent spans and charts from metrics', () => {
    expect(agentSpans(records)).toEqual([
      { from: 1, to: 2, role: 'defender' },
      { from: 3, to: 5, role: 'attacker' },
    ]);
    const charts = buildCharts(records);
    expect(charts[0]!.series.map((s) => s.name)).toEqual(['reward/response_harm']);
    expect(charts[1]!.series[0]!.points).toEqual([
      { step: 0, value: 0.5 },
      { step: 4, value: 0.25 },
    ]);
  });

  it('HTML holds one SVG per chart with the switch marked; PNG is a PNG', () => {
    const r = buildReport(records, { title: 'run <x>', summary: { steps: '5' } });
    expect(r.html.match(/<svg /g)?.length).toBe(3);
    expect(r.html).toContain('switch to attacker at step 3');
    expect(r.html).toContain('run &lt;x&gt;');
    expect([...r.png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(r.png.length).toBeGreaterThan(500);
  });
});
