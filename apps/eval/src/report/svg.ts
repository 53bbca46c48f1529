import { formatFraction } from '@magic/benchmarks';
import { at } from '@magic/core';

/** HTML/SVG text escaping. */
export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'];

export interface Bar {
  value: number | null;
  ci?: { lower: number; upper: number } | null | undefined;
  /** Tooltip detail (n, count...). */
  note?: string | undefined;
}

/** One row block: a label and one bar per series. */
export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface BarChart {
  title: string;
  series: string[];
  groups: BarGroup[];
  /** Axis range; default [0, max(1, values)] or symmetric around 0 when a value is negative. */
  domain?: [number, number];
}

const W = 760;
const LABEL_W = 230;
const RIGHT = 60;
const BAR_H = 12;
const GAP = 10;
const TOP = 40;
/** Axis ticks: 0, .5, 1, -.25 ... */
const tick = (v: number) => (Math.abs(v) < 1e-12 ? '0' : String(Number(v.toFixed(3))).replace(/^(-?)0\./, '$1.'));

function domainOf(chart: BarChart): [number, number] {
  if (chart.domain) return chart.domain;
  const values = chart.groups.flatMap((g) =>
    g.bars.flatMap((b) => [b.value, b.ci?.lower, b.ci?.upper].filter((v): v is number => typeof v === 'number')),
  );
  const lo = Math.min(0, ...values);
  const hi = Math.max(lo < 0 ? 0 : 1, ...values);
  if (lo < 0) {
    const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-6);
    return [-m, m];
  }
  return [0, hi];
}

/**
 * A horizontal grouped bar chart as inline SVG: one row block per group, one bar per series, a
 * whisker for each bar's 95% CI, the value printed after the bar; missing values are marked "n/a".
 */
export function barChartSvg(chart: BarChart): string {
  const [d0, d1] = domainOf(chart);
  const series = Math.max(1, chart.series.length);
  const groupH = series * BAR_H + GAP;
  const legendH = chart.series.length > 1 ? 18 : 0;
  const height = TOP + legendH + chart.groups.length * groupH + 26;
  const plotW = W - LABEL_W - RIGHT;
  const x = (v: number) => LABEL_W + ((Math.min(d1, Math.max(d0, v)) - d0) / (d1 - d0 || 1)) * plotW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" role="img" class="chart">`,
    `<title>${esc(chart.title)}</title>`,
    `<text x="4" y="18" font-size="13" font-weight="bold">${esc(chart.title)}</text>`,
  ];
  if (chart.series.length > 1) {
    chart.series.forEach((name, i) => {
      const lx = LABEL_W + i * 150;
      parts.push(
        `<rect x="${lx}" y="${TOP - 14}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`,
        `<text x="${lx + 14}" y="${TOP - 5}" font-size="11">${esc(name)}</text>`,
      );
    });
  }
  const top = TOP + legendH;
  const axisY = top + chart.groups.length * groupH;
  for (const t of [d0, (d0 + d1) / 2, d1, ...(d0 < 0 ? [0] : [])]) {
    const xt = x(t).toFixed(1);
    parts.push(
      `<line x1="${xt}" x2="${xt}" y1="${top - 4}" y2="${axisY}" stroke="${t === 0 ? '#888' : '#e3e3e3'}"/>`,
      `<text x="${xt}" y="${axisY + 14}" font-size="10" text-anchor="middle">${tick(t)}</text>`,
    );
  }
  chart.groups.forEach((g, gi) => {
    const gy = top + gi * groupH;
    parts.push(
      `<text x="${LABEL_W - 8}" y="${(gy + (series * BAR_H) / 2 + 4).toFixed(1)}" font-size="11" text-anchor="end">${esc(g.label)}</text>`,
    );
    g.bars.forEach((b, si) => {
      const y = gy + si * BAR_H;
      const color = at(PALETTE, si % PALETTE.length, 'PALETTE');
      const name = chart.series[si] ?? '';
      const x0 = x(Math.max(0, d0));
      if (b.value === null) {
        parts.push(`<text x="${x0 + 4}" y="${y + BAR_H - 2}" font-size="10" fill="#999">n/a</text>`);
        return;
      }
      const xv = x(b.value);
      const ci = b.ci ? ` [${formatFraction(b.ci.lower)}, ${formatFraction(b.ci.upper)}]` : '';
      parts.push(
        `<rect x="${Math.min(x0, xv).toFixed(1)}" y="${y + 1}" width="${Math.max(1, Math.abs(xv - x0)).toFixed(1)}" height="${BAR_H - 2}" fill="${color}" fill-opacity="0.8"><title>${esc(`${g.label}${name ? ` (${name})` : ''}: ${formatFraction(b.value)}${ci}${b.note ? `, ${b.note}` : ''}`)}</title></rect>`,
      );
      if (b.ci) {
        const [l, u] = [x(b.ci.lower), x(b.ci.upper)];
        const cy = y + BAR_H / 2;
        parts.push(
          `<path d="M${l.toFixed(1)} ${cy - 4}v8M${l.toFixed(1)} ${cy}H${u.toFixed(1)}M${u.toFixed(1)} ${cy - 4}v8" stroke="#222" stroke-width="1.2" fill="none" class="ci"/>`,
        );
      }
      const tx = Math.max(xv, b.ci ? x(b.ci.upper) : xv) + 4;
      parts.push(`<text x="${tx.toFixed(1)}" y="${y + BAR_H - 2}" font-size="10">${formatFraction(b.value)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** The page shell shared by report.html and compare.html (self-contained: inline CSS, inline SVG). */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:980px;color:#222}table{border-collapse:collapse;margin:8px 0}th,td{text-align:left;padding:2px 10px;border-bottom:1px solid #eee;font-size:13px}th{background:#fafafa}td.num{text-align:right;font-variant-numeric:tabular-nums}.better{color:#2a7d2a}.worse{color:#b22}.skipped{color:#888}details{margin:6px 0}figure{margin:10px 0}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:32px}</style>
</head><body>
<h1>${esc(title)}</h1>
${body}
</body></html>
`;
}

/** A key/value table. */
export function factsTable(facts: Record<string, string>): string {
  const rows = Object.entries(facts)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('\n');
  return `<table>${rows}</table>`;
}
