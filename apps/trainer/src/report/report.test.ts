import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { at, defined } from '@magic/core';
import type { MetricsRecord } from '@magic/game';
import { describe, expect, it } from 'vitest';
import { agentSpans, buildCharts } from './charts.js';
import { readEpisodeBlocks } from './episodes.js';
import { layoutChart, legendWidth } from './layout.js';
import { buildReport, episodesHtml, esc } from './report.js';
import { fixtureMetrics, MARKUP, writeFixtureRun } from './report-fixture.test-helpers.js';

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
    expect(at(charts, 0, 'charts').series.map((s) => s.name)).toEqual(['reward/response_harm']);
    expect(at(at(charts, 1, 'charts').series, 0, 'charts[1].series').points).toEqual([
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

function decodePng(png: Uint8Array): { width: number; height: number; pixel: (x: number, y: number) => number[] } {
  const view = new DataView(png.buffer, png.byteOffset);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const idat: Uint8Array[] = [];
  for (let o = 8; o < png.length; ) {
    const len = view.getUint32(o);
    if (String.fromCharCode(...png.subarray(o + 4, o + 8)) === 'IDAT') idat.push(png.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return {
    width,
    height,
    pixel: (x, y) => [...raw.subarray(y * (width * 4 + 1) + 1 + x * 4, y * (width * 4 + 1) + 1 + x * 4 + 3)],
  };
}

describe('report with gaps, text and episodes', () => {
  it('skips null, NaN and absent metric values instead of drawing them as 0', () => {
    const charts = buildCharts(fixtureMetrics());
    const asr = defined(
      at(charts, 1, 'charts').series.find((s) => s.name === 'train ASR (batch)'),
      'train ASR series',
    );
    expect(asr.points.map((p) => p.step)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 11, 12]);
    const harm = defined(
      at(charts, 0, 'charts').series.find((s) => s.name === 'reward/response_harm'),
      'reward/response_harm series',
    );
    expect(harm.points.map((p) => p.step)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 11, 12]);
    expect(harm.points.every((p) => p.value !== 0)).toBe(true);
    expect(
      defined(
        at(charts, 0, 'charts').series.find((s) => s.name === 'reward/defender_score_mean'),
        'reward/defender_score_mean series',
      ).points,
    ).toHaveLength(10);
    // a chart whose metrics were never measured is left out rather than drawn empty
    expect(buildCharts([{ step: 1, phase: 'phase2', 'reward/asr': null }]).map((c) => c.title)).toEqual([]);
  });

  it('legend rows sit below the plot and the x-axis label, and wrap inside the chart width', () => {
    const [chart] = buildCharts(fixtureMetrics());
    const layout = layoutChart(defined(chart, 'chart'), agentSpans(fixtureMetrics()));
    expect(layout.legend.length).toBe(defined(chart, 'chart').series.length + 3); // + defender/attacker shading + switch
    for (const item of layout.legend) {
      expect(item.y).toBeGreaterThan(layout.xLabelY + 8);
      expect(item.x + legendWidth(item.name)).toBeLessThanOrEqual(layout.plot.right + 16);
    }
    expect(new Set(layout.legend.map((i) => i.y)).size).toBeGreaterThan(1);
    expect(layout.height).toBeGreaterThan(Math.max(...layout.legend.map((i) => i.y)));
    expect(layout.yTicks[0]).toBe(-0.5); // the axis ends on a labelled tick
  });

  it('report.png carries titles, tick and axis labels and legends as drawn text', () => {
    const metrics = fixtureMetrics();
    const charts = buildCharts(metrics);
    const spans = agentSpans(metrics);
    const png = decodePng(buildReport(metrics, { title: 't', summary: {} }).png);
    const ink = (x0: number, y0: number, x1: number, y1: number) => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (png.pixel(x, y).join() === '34,34,34') n++;
      return n;
    };
    let oy = 0;
    for (const chart of charts) {
      const l = layoutChart(chart, spans);
      expect(
        ink(l.plot.left, oy + l.titleY, l.plot.left + 200, oy + l.titleY + 16),
        `${chart.title} title`,
      ).toBeGreaterThan(100);
      expect(ink(300, oy + l.xLabelY, 420, oy + l.xLabelY + 8), 'x-axis label').toBeGreaterThan(20);
      expect(ink(l.yLabelX, oy + l.plot.top, l.yLabelX + 8, oy + l.plot.bottom), 'y-axis label').toBeGreaterThan(10);
      expect(ink(0, oy + l.plot.top, l.plot.left - 2, oy + l.plot.bottom + 1), 'y tick labels').toBeGreaterThan(30);
      const legendTop = Math.min(...l.legend.map((i) => i.y));
      expect(ink(l.plot.left, oy + legendTop, l.plot.right, oy + l.height), 'legend').toBeGreaterThan(200);
      oy += l.height;
    }
    expect(png.height).toBe(oy);
  });

  it('picks 3 episodes per switch block from steps spread over the block', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-episodes-'));
    try {
      const metrics = writeFixtureRun(dir);
      appendFileSync(join(dir, 'replay_buffer', 'train_step_4.jsonl'), 'not json\n{"uid":1}\n');
      // a status field (any shape) is shown, not a reason to drop the line
      const step11 = join(dir, 'replay_buffer', 'train_step_11.jsonl');
      const lines = readFileSync(step11, 'utf8').trim().split('\n');
      lines[0] = JSON.stringify({ ...JSON.parse(at(lines, 0, 'lines')), status: [{ skipped: 'judge-failure' }, 'ok'] });
      writeFileSync(step11, `${lines.join('\n')}\n`);
      rmSync(join(dir, 'replay_buffer', 'train_step_8.jsonl'));
      const blocks = readEpisodeBlocks(dir, agentSpans(metrics));
      expect(blocks.map((b) => b.examples.map((e) => `${e.step}:${e.uid}`))).toEqual([
        ['1:seed-1-0', '2:seed-2-0', '3:seed-3-0'],
        ['4:seed-4-0', '5:seed-5-0', '6:seed-6-0'],
        ['7:seed-7-0', '9:seed-9-0', '7:seed-7-1'],
        ['10:seed-10-0', '11:seed-11-0', '12:seed-12-0'],
      ]);
      const first = at(at(blocks, 0, 'blocks').examples, 0, 'blocks[0].examples');
      expect(first.turns).toEqual([
        { role: 'attacker', turn: 0, think: 'placeholder plan 1.0.0', text: 'placeholder rewrite 1.0.0' },
        { role: 'defender', turn: 0, text: 'placeholder reply 1.0.0' },
      ]);
      expect(first.verdicts).toEqual({ q: 'unsafe', qa: 'safe', qaRefusal: 'yes' });
      const unjudged = at(at(blocks, 1, 'blocks').examples, 1, 'blocks[1].examples'); // step 5: nothing judged
      expect([unjudged.score, unjudged.verdicts, unjudged.roleScores]).toEqual([null, null, null]);
      expect(at(at(blocks, 3, 'blocks').examples, 1, 'blocks[3].examples').status).toBe('{"skipped":"judge-failure"}');
      expect(at(at(blocks, 0, 'blocks').examples, 0, 'blocks[0].examples').status).toBeNull();

      const html = buildReport(metrics, { title: 't', summary: {}, episodes: blocks }).html;
      expect(html.match(/<details class="episode">/g)).toHaveLength(12);
      expect(html).not.toContain(MARKUP);
      expect(html).toContain(esc(MARKUP));
      expect(episodesHtml([{ span: { from: 1, to: 2, role: 'defender' }, examples: [] }])).toContain(
        'No replay-buffer episodes',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
