import type { MetricsRecord } from '@magic/game';
import { type AgentSpan, agentSpans, buildCharts, type ChartSpec, chartBounds } from './charts.js';
import { Raster, type Rgb } from './png.js';

const W = 720;
const H = 260;
const PAD = { left: 56, right: 16, top: 28, bottom: 34 };
const ROLE_TINT: Record<'attacker' | 'defender', Rgb> = { attacker: [250, 220, 220], defender: [215, 230, 250] };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const rgb = (c: readonly number[]) => `rgb(${c.join(',')})`;

function scaler(chart: ChartSpec, spans: AgentSpan[]) {
  const b = chartBounds(chart, spans);
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  return {
    b,
    x: (step: number) => PAD.left + ((step - b.x0) / (b.x1 - b.x0)) * pw,
    y: (v: number) => PAD.top + (1 - (v - b.y0) / (b.y1 - b.y0)) * ph,
  };
}

/** One chart as inline SVG: agent spans shaded, switches dashed, one polyline per series. */
export function chartSvg(chart: ChartSpec, spans: AgentSpan[]): string {
  const { b, x, y } = scaler(chart, spans);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img">`);
  parts.push(`<title>${esc(chart.title)}</title>`);
  for (const s of spans) {
    const xa = x(s.from - 0.5);
    const xb = x(s.to + 0.5);
    parts.push(
      `<rect x="${xa.toFixed(1)}" y="${PAD.top}" width="${(xb - xa).toFixed(1)}" height="${H - PAD.top - PAD.bottom}" fill="${rgb(ROLE_TINT[s.role])}"><title>${s.role} trained, steps ${s.from}-${s.to}</title></rect>`,
    );
  }
  for (const s of spans.slice(1)) {
    const xs = x(s.from - 0.5).toFixed(1);
    parts.push(
      `<line x1="${xs}" x2="${xs}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#555" stroke-dasharray="4 3"><title>switch to ${s.role} at step ${s.from}</title></line>`,
    );
  }
  for (const v of [b.y0, (b.y0 + b.y1) / 2, b.y1]) {
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${v.toFixed(2)}</text>`,
    );
  }
  parts.push(
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#333"/>`,
  );
  parts.push(`<text x="${PAD.left}" y="${H - 10}" font-size="11">step ${b.x0}</text>`);
  parts.push(`<text x="${W - PAD.right}" y="${H - 10}" font-size="11" text-anchor="end">step ${b.x1}</text>`);
  parts.push(`<text x="${PAD.left}" y="18" font-size="13" font-weight="bold">${esc(chart.title)}</text>`);
  chart.series.forEach((s, i) => {
    const pts = s.points.map((p) => `${x(p.step).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${rgb(s.color)}" stroke-width="2" points="${pts}"/>`);
    for (const p of s.points) {
      parts.push(
        `<circle cx="${x(p.step).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="2.5" fill="${rgb(s.color)}"><title>${esc(s.name)} step ${p.step}: ${p.value.toFixed(4)}</title></circle>`,
      );
    }
    parts.push(
      `<text x="${W - PAD.right - 4}" y="${PAD.top + 14 + 14 * i}" font-size="11" text-anchor="end" fill="${rgb(s.color)}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** All charts stacked into one PNG (same layout as the SVGs, without text). */
export function chartsPng(charts: ChartSpec[], spans: AgentSpan[]): Uint8Array {
  const n = Math.max(1, charts.length);
  const r = new Raster(W, H * n);
  charts.forEach((chart, ci) => {
    const { b, x, y } = scaler(chart, spans);
    const oy = ci * H;
    for (const s of spans) {
      const xa = x(s.from - 0.5);
      r.fillRect(xa, oy + PAD.top, x(s.to + 0.5) - xa, H - PAD.top - PAD.bottom, ROLE_TINT[s.role]);
    }
    for (const s of spans.slice(1)) {
      const xs = x(s.from - 0.5);
      r.line(xs, oy + PAD.top, xs, oy + H - PAD.bottom, [85, 85, 85], 1, [4, 3]);
    }
    for (const v of [b.y0, (b.y0 + b.y1) / 2, b.y1])
      r.line(PAD.left, oy + y(v), W - PAD.right, oy + y(v), [210, 210, 210]);
    r.line(PAD.left, oy + H - PAD.bottom, W - PAD.right, oy + H - PAD.bottom, [40, 40, 40]);
    r.line(PAD.left, oy + PAD.top, PAD.left, oy + H - PAD.bottom, [40, 40, 40]);
    for (const s of chart.series) {
      s.points.forEach((p, i) => {
        const prev = s.points[i - 1];
        if (prev) r.line(x(prev.step), oy + y(prev.value), x(p.step), oy + y(p.value), s.color, 2);
        r.fillRect(x(p.step) - 2, oy + y(p.value) - 2, 5, 5, s.color);
      });
    }
  });
  return r.toPng();
}

export interface Report {
  html: string;
  png: Uint8Array;
}

/** The run report: HTML with inline SVG charts (agent switches marked) and the same charts as PNG. */
export function buildReport(
  records: MetricsRecord[],
  opts: { title: string; summary: Record<string, string> },
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
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:780px}table{border-collapse:collapse}th,td{text-align:left;padding:2px 10px;border-bottom:1px solid #eee}.legend span{display:inline-block;padding:2px 8px;margin-right:8px}</style>
</head><body>
<h1>${esc(opts.title)}</h1>
<table>${rows}</table>
<p class="legend">Background: <span style="background:${rgb(ROLE_TINT.defender)}">defender trained</span><span style="background:${rgb(ROLE_TINT.attacker)}">attacker trained</span>; dashed lines mark agent switches.</p>
${charts.map((c) => `<figure>${chartSvg(c, spans)}</figure>`).join('\n')}
<h2>Agent switches</h2><ul>${switches || '<li>none</li>'}</ul>
<p>Same charts as PNG: <a href="report.png">report.png</a>. Raw numbers: <a href="metrics.jsonl">metrics.jsonl</a>.</p>
</body></html>
`;
  return { html, png: chartsPng(charts, spans) };
}
