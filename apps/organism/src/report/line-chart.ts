import { defined } from '@magic/core';
/** A self-contained SVG line chart (no script, no external resource): the organism report's loss curves. */
export interface LineSeries {
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Log-scale y (losses fall over orders of magnitude early on); needs every y > 0. */
  logY?: boolean;
}

/** Escapes text for HTML/SVG content and attributes. */
export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const W = 720;
const H = 300;
const PAD = { left: 64, right: 16, top: 32, bottom: 72 };

/** About `max` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, max = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / max;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = defined(
    [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw),
    'tick step',
  );
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const label = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(v));

/** The chart as an `<svg class="chart">`: grid, axes, one `polyline.series` per series with points, legend below. */
export function lineChartSvg(chart: LineChart): string {
  const series = chart.series.filter((s) => s.points.length > 0);
  const all = series.flatMap((s) => s.points);
  const logY = chart.logY === true && all.every((p) => p.y > 0);
  const ty = (y: number) => (logY ? Math.log10(y) : y);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => ty(p.y));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (all.length === 0) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const yPad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - yPad, y1 + yPad];
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const py = (y: number) => H - PAD.bottom - ((ty(y) - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const f = (v: number) => v.toFixed(1);
  const p: string[] = [];
  p.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`);
  p.push(`<title>${esc(chart.title)}</title>`);
  p.push(
    `<text x="${PAD.left}" y="20" font-family="sans-serif" font-size="14" font-weight="bold">${esc(chart.title)}</text>`,
  );
  const yTicks = logY ? niceTicks(y0, y1, 5).map((t) => 10 ** t) : niceTicks(y0, y1, 5);
  for (const t of yTicks) {
    const y = f(py(t));
    p.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    p.push(
      `<text x="${PAD.left - 6}" y="${f(py(t) + 3.5)}" font-family="monospace" font-size="10" text-anchor="end">${esc(label(Number(t.toPrecision(3))))}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1, 8)) {
    p.push(`<line x1="${f(px(t))}" x2="${f(px(t))}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 4}" stroke="#333"/>`);
    p.push(
      `<text x="${f(px(t))}" y="${H - PAD.bottom + 15}" font-family="monospace" font-size="10" text-anchor="middle">${esc(label(t))}</text>`,
    );
  }
  p.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#333"/>`);
  p.push(`<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#333"/>`);
  p.push(
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - PAD.bottom + 32}" font-family="sans-serif" font-size="11" text-anchor="middle">${esc(chart.xLabel)}</text>`,
  );
  p.push(
    `<text transform="translate(14,${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" font-family="sans-serif" font-size="11" text-anchor="middle">${esc(chart.yLabel)}${logY ? ' (log)' : ''}</text>`,
  );
  for (const s of series) {
    const pts = s.points.map((q) => `${f(px(q.x))},${f(py(q.y))}`).join(' ');
    p.push(
      `<polyline class="series" data-series="${esc(s.name)}" fill="none" stroke="${esc(s.color)}" stroke-width="1.5" points="${pts}"/>`,
    );
    if (s.points.length <= 60) {
      for (const q of s.points) {
        p.push(
          `<circle cx="${f(px(q.x))}" cy="${f(py(q.y))}" r="2.5" fill="${esc(s.color)}"><title>${esc(s.name)} ${q.x}: ${q.y.toPrecision(4)}</title></circle>`,
        );
      }
    }
  }
  p.push('<g class="legend">');
  let lx = PAD.left;
  const ly = H - 16;
  for (const s of series) {
    p.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${esc(s.color)}" stroke-width="2"/>`,
    );
    p.push(`<text x="${lx + 22}" y="${ly}" font-family="sans-serif" font-size="11">${esc(s.name)}</text>`);
    lx += 22 + 7 * s.name.length + 24;
  }
  p.push('</g></svg>');
  return p.join('\n');
}
