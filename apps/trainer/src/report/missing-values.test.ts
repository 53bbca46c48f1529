import { defined } from '@magic/core';
import type { MetricsRecord } from '@magic/game';
import { describe, expect, it } from 'vitest';
import { buildCharts } from './charts.js';
import { buildReport } from './report.js';

// Step 2 had no judged episode: its means are absent (as the trainer writes them), NaN (in memory) or null (a
// metrics.jsonl from before absent keys, where JSON.stringify turned NaN into null).
const records = [
  { step: 1, phase: 'phase2', 'train/current_agent_name': 'defender', 'reward/asr': 0.5, 'reward/response_harm': 0.2 },
  { step: 2, phase: 'phase2', 'train/current_agent_name': 'defender', 'reward/asr': Number.NaN },
  { step: 3, phase: 'phase2', 'train/current_agent_name': 'defender', 'reward/asr': null, 'reward/response_harm': 0.4 },
  { step: 4, phase: 'phase2', 'train/current_agent_name': 'defender', 'reward/asr': 0.25 },
] as unknown as MetricsRecord[];

describe('report with unmeasured steps', () => {
  it('leaves absent, NaN and null values out of the series instead of drawing them as 0', () => {
    const series = buildCharts(records).flatMap((c) => c.series);
    expect(
      defined(
        series.find((s) => s.name === 'train ASR (batch)'),
        "series.find((s) => s.name === 'train ASR (batch)')",
      ).points,
    ).toEqual([
      { step: 1, value: 0.5 },
      { step: 4, value: 0.25 },
    ]);
    expect(
      defined(
        series.find((s) => s.name === 'reward/response_harm'),
        "series.find((s) => s.name === 'reward/response_harm')",
      ).points.map((p) => p.step),
    ).toEqual([1, 3]);
  });

  it('renders when every value of a chart is missing', () => {
    const none = records.map((r) => ({
      step: defined(r['step'], "r['step']"),
      phase: 'phase2',
      'reward/asr': Number.NaN,
    })) as MetricsRecord[];
    const r = buildReport(none, { title: 'no judged step', summary: {} });
    expect(r.html).not.toContain('NaN');
    expect(r.html).not.toMatch(/<circle[^>]*><title>train ASR/);
    expect([...r.png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  });
});
