import { type AgentSpan, agentSpans, buildCharts, type ChartSpec, type MetricsLine } from './charts.js';
import type { EpisodeBlock, EpisodeExample } from './episodes.js';
import { drawText, drawTextUp, GLYPH_H } from './font.js';
import { type ChartLayout, layoutChart, ROLE_TINT, SWITCH_COLOR, tickLabel } from './layout.js';
import { Raster, type Rgb } from './png.js';

const INK: Rgb = [34, 34, 34];
const GRID: Rgb = [221, 221, 221];
const X_LABEL = 'training step';

/** Escapes text for HTML element content and attribute values (the episodes are model output). */
export const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const rgb = (c: readonly number[]) => `rgb(${c.join(',')})`;
const f1 = (v: number) => v.toFixed(1);

function svgText(x: number, y: number, text: string, attrs = ''): string {
  return `<text x="${f1(x)}" y="${f1(y)}" font-family="monospace" font-size="10" ${attrs}>${esc(text)}</text>`;
}

/** One chart as inline SVG: agent spans shaded, switches dashed, one polyline per series, legend below the plot. */
export function chartSvg(chart: ChartSpec, spans: AgentSpan[]): string {
  const L = layoutChart(chart, spans);
  const { plot } = L;
  const p: string[] = [];
  p.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" role="img" class="chart">`,
  );
  p.push(`<title>${esc(chart.title)}</title>`);
  for (const s of spans) {
    const xa = Math.max(plot.left, L.x(s.from - 0.5));
    const xb = Math.min(plot.right, L.x(s.to + 0.5));
    p.push(
      `<rect x="${f1(xa)}" y="${plot.top}" width="${f1(xb - xa)}" height="${plot.bottom - plot.top}" fill="${rgb(ROLE_TINT[s.role])}"><title>${s.role} trained, steps ${s.from}-${s.to}</title></rect>`,
    );
  }
  for (const v of L.yTicks) {
    p.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${f1(L.y(v))}" y2="${f1(L.y(v))}" stroke="${rgb(GRID)}"/>`);
    p.push(svgText(plot.left - 6, L.y(v) + 3.5, tickLabel(v), 'text-anchor="end"'));
  }
  for (const s of spans.slice(1)) {
    const xs = f1(L.x(s.from - 0.5));
    p.push(
      `<line x1="${xs}" x2="${xs}" y1="${plot.top}" y2="${plot.bottom}" stroke="${rgb(SWITCH_COLOR)}" stroke-dasharray="4 3"><title>switch to ${s.role} at step ${s.from}</title></line>`,
    );
  }
  for (const t of L.xTicks) {
    p.push(`<line x1="${f1(L.x(t))}" x2="${f1(L.x(t))}" y1="${plot.bottom}" y2="${plot.bottom + 4}" stroke="#333"/>`);
    p.push(svgText(L.x(t), plot.bottom + 14, String(t), 'text-anchor="middle"'));
  }
  p.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="#333"/>`);
  p.push(`<line x1="${plot.left}" x2="${plot.left}" y1="${plot.top}" y2="${plot.bottom}" stroke="#333"/>`);
  p.push(
    `<text x="${plot.left}" y="${L.titleY + 12}" font-family="sans-serif" font-size="14" font-weight="bold">${esc(chart.title)}</text>`,
  );
  p.push(svgText((plot.left + plot.right) / 2, L.xLabelY + 10, X_LABEL, 'text-anchor="middle" class="axis-label"'));
  const cy = f1((plot.top + plot.bottom) / 2);
  p.push(
    svgText(
      0,
      0,
      chart.yLabel,
      `text-anchor="middle" class="axis-label" transform="translate(${L.yLabelX + 8},${cy}) rotate(-90)"`,
    ),
  );
  for (const s of chart.series) {
    const pts = s.points.map((q) => `${f1(L.x(q.step))},${f1(L.y(q.value))}`).join(' ');
    p.push(
      `<polyline class="series" data-series="${esc(s.name)}" fill="none" stroke="${rgb(s.color)}" stroke-width="2" points="${pts}"/>`,
    );
    for (const q of s.points) {
      p.push(
        `<circle cx="${f1(L.x(q.step))}" cy="${f1(L.y(q.value))}" r="2.5" fill="${rgb(s.color)}"><title>${esc(s.name)} step ${q.step}: ${q.value.toFixed(4)}</title></circle>`,
      );
    }
  }
  p.push('<g class="legend">');
  for (const item of L.legend) {
    const my = item.y + 6;
    if (item.kind === 'line') {
      p.push(
        `<line x1="${item.x}" x2="${item.x + 18}" y1="${my}" y2="${my}" stroke="${rgb(item.color)}" stroke-width="2"/>`,
      );
    } else if (item.kind === 'box') {
      p.push(`<rect x="${item.x}" y="${item.y}" width="18" height="12" fill="${rgb(item.color)}"/>`);
    } else {
      p.push(
        `<line x1="${item.x + 9}" x2="${item.x + 9}" y1="${item.y}" y2="${item.y + 12}" stroke="${rgb(item.color)}" stroke-dasharray="4 3"/>`,
      );
    }
    p.push(svgText(item.x + 24, item.y + 10, item.name));
  }
  p.push('</g>', '</svg>');
  return p.join('\n');
}

function drawChart(r: Raster, chart: ChartSpec, spans: AgentSpan[], L: ChartLayout, oy: number): void {
  const { plot } = L;
  for (const s of spans) {
    const xa = Math.max(plot.left, L.x(s.from - 0.5));
    const xb = Math.min(plot.right, L.x(s.to + 0.5));
    r.fillRect(xa, oy + plot.top, xb - xa, plot.bottom - plot.top, ROLE_TINT[s.role]);
  }
  for (const v of L.yTicks) {
    r.line(plot.left, oy + L.y(v), plot.right, oy + L.y(v), GRID);
    drawText(r, plot.left - 6, oy + L.y(v) - GLYPH_H / 2, tickLabel(v), INK, 1, 'end');
  }
  for (const s of spans.slice(1)) {
    const xs = L.x(s.from - 0.5);
    r.line(xs, oy + plot.top, xs, oy + plot.bottom, SWITCH_COLOR, 1, [4, 3]);
  }
  for (const t of L.xTicks) {
    r.line(L.x(t), oy + plot.bottom, L.x(t), oy + plot.bottom + 4, INK);
    drawText(r, L.x(t), oy + plot.bottom + 6, String(t), INK, 1, 'middle');
  }
  r.line(plot.left, oy + plot.bottom, plot.right, oy + plot.bottom, INK);
  r.line(plot.left, oy + plot.top, plot.left, oy + plot.bottom, INK);
  drawText(r, plot.left, oy + L.titleY, chart.title, INK, 2);
  drawText(r, (plot.left + plot.right) / 2, oy + L.xLabelY, X_LABEL, INK, 1, 'middle');
  drawTextUp(r, L.yLabelX, oy + (plot.top + plot.bottom) / 2, chart.yLabel, INK);
  for (const s of chart.series) {
    s.points.forEach((q, i) => {
      const prev = s.points[i - 1];
      if (prev) r.line(L.x(prev.step), oy + L.y(prev.value), L.x(q.step), oy + L.y(q.value), s.color, 2);
      r.fillRect(L.x(q.step) - 2, oy + L.y(q.value) - 2, 5, 5, s.color);
    });
  }
  for (const item of L.legend) {
    const y = oy + item.y;
    if (item.kind === 'line') r.line(item.x, y + 6, item.x + 18, y + 6, item.color, 2);
    else if (item.kind === 'box') r.fillRect(item.x, y, 18, 12, item.color);
    else r.line(item.x + 9, y, item.x + 9, y + 12, item.color, 1, [4, 3]);
    drawText(r, item.x + 24, y + 2, item.name, INK);
  }
}

/** All charts stacked into one PNG, with the same titles, ticks, axis labels and legends as the SVGs. */
export function chartsPng(charts: ChartSpec[], spans: AgentSpan[]): Uint8Array {
  const laidOut = charts.map((chart) => ({ chart, layout: layoutChart(chart, spans) }));
  const width = laidOut[0]?.layout.width ?? 720;
  const height = Math.max(
    1,
    laidOut.reduce((h, { layout }) => h + layout.height, 0),
  );
  const r = new Raster(width, height);
  let oy = 0;
  for (const { chart, layout } of laidOut) {
    drawChart(r, chart, spans, layout, oy);
    oy += layout.height;
  }
  return r.toPng();
}

const fmtScore = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(3) : '–');

function pre(label: string, text: string, cls: string): string {
  return `<h5>${esc(label)}</h5><pre class="${cls}">${esc(text)}</pre>`;
}

function exampleHtml(e: EpisodeExample, trained: string): string {
  const v = e.verdicts;
  const summary = [
    `step ${e.step}`,
    e.dataType,
    `${trained} reward ${fmtScore(e.score)}`,
    v ? `guard: rewrite ${v.q ?? '–'}, reply ${v.qa ?? '–'}` : 'guard: –',
    ...(e.status ? [e.status] : []),
  ].join(' · ');
  const turns = e.turns
    .map((t) =>
      t.role === 'attacker'
        ? (t.think !== undefined ? pre(`turn ${t.turn} · attacker's chain of thought`, t.think, 'think') : '') +
          pre(`turn ${t.turn} · attacker's rewrite`, t.text, 'rewrite')
        : pre(`turn ${t.turn} · defender's reply`, t.text, 'reply'),
    )
    .join('\n');
  const rows: [string, string][] = [
    ['guard on the rewrite (q)', v?.q ?? '–'],
    ['guard on the reply (qa)', v?.qa ?? '–'],
    ['reply refuses (qa)', v?.qaRefusal ?? '–'],
    ['attacker reward', fmtScore(e.roleScores?.['attacker'])],
    ['defender reward', fmtScore(e.roleScores?.['defender'])],
    ...Object.entries(e.components ?? {}).map(([k, x]): [string, string] => [
      `component ${k}`,
      typeof x === 'number' ? fmtScore(x) : JSON.stringify(x),
    ]),
    ['finish', e.finishReason ?? '–'],
    ...(e.status ? ([['status', e.status]] as [string, string][]) : []),
  ];
  return `<details class="episode"><summary>${esc(summary)}</summary>
${pre('seed request', e.question, 'seed')}
${turns}
<table class="scores">${rows.map(([k, x]) => `<tr><th>${esc(k)}</th><td>${esc(x)}</td></tr>`).join('')}</table>
</details>`;
}

/** The example episodes section: one block per switch block, each example collapsible. */
export function episodesHtml(blocks: EpisodeBlock[]): string {
  if (blocks.length === 0) return '';
  const parts = blocks.map((b) => {
    const steps = b.span.from === b.span.to ? `Step ${b.span.from}` : `Steps ${b.span.from}–${b.span.to}`;
    const head = `<h3>${steps}: ${b.span.role} trained</h3>`;
    if (b.examples.length === 0) return `${head}\n<p>No replay-buffer episodes for these steps.</p>`;
    return `${head}\n${b.examples.map((e) => exampleHtml(e, b.span.role)).join('\n')}`;
  });
  return `<h2>Example episodes</h2>
<p>A few episodes of each switch block from <code>replay_buffer/</code> (the first copy of a seed; click to open).</p>
${parts.join('\n')}`;
}

export interface Report {
  html: string;
  png: Uint8Array;
}

/** The run report: HTML with inline SVG charts (agent switches marked), example episodes, and the charts as PNG. */
export function buildReport(
  records: readonly MetricsLine[],
  opts: { title: string; summary: Record<string, string>; episodes?: EpisodeBlock[] },
): Report {
  const charts = buildCharts(records);
  const spans = agentSpans(records);
  const rows = Object.entries(opts.summary)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('\n');
  const switches = spans
    .slice(1)
    .map((s) => `<li>step ${s.from}: ${s.role}</li>`)
    .join('');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(opts.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:780px}table{border-collapse:collapse}th,td{text-align:left;padding:2px 10px;border-bottom:1px solid #eee;vertical-align:top}figure{margin:16px 0}details.episode{border:1px solid #ddd;border-radius:4px;margin:6px 0;padding:4px 8px}details.episode summary{cursor:pointer}h5{margin:10px 0 2px}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:6px;margin:0;max-height:24em;overflow:auto}</style>
</head><body>
<h1>${esc(opts.title)}</h1>
<table>${rows}</table>
${charts.map((c) => `<figure>${chartSvg(c, spans)}</figure>`).join('\n')}
<h2>Agent switches</h2><ul>${switches || '<li>none</li>'}</ul>
${episodesHtml(opts.episodes ?? [])}
<p>Same charts as PNG: <a href="report.png">report.png</a>. Raw numbers: <a href="metrics.jsonl">metrics.jsonl</a>.</p>
</body></html>
`;
  return { html, png: chartsPng(charts, spans) };
}
