import { type AgentSpan, type ChartSpec, chartBounds } from './charts.js';
import { ADVANCE } from './font.js';
import type { Rgb } from './png.js';

export const CHART_W = 720;
export const ROLE_TINT: Record<'attacker' | 'defender', Rgb> = { attacker: [250, 220, 220], defender: [215, 230, 250] };
export const SWITCH_COLOR: Rgb = [85, 85, 85];
/** Pixels a legend/tick character takes: the PNG font's advance; the SVG uses a 10px monospace face of that width. */
export const CHAR_W = ADVANCE;

const PLOT = { left: 66, right: 16, top: 30, height: 180 };
/** Below the plot: tick labels, the x-axis label, then the legend rows. */
const TICKS_H = 16;
const XLABEL_H = 18;
const LEGEND_ROW_H = 16;
const SWATCH_W = 18;

export type LegendKind = 'line' | 'box' | 'dash';

export interface LegendItem {
  kind: LegendKind;
  name: string;
  color: Rgb;
  /** Left edge of the swatch and top of the row. */
  x: number;
  y: number;
}

/** Geometry of one chart, shared by the SVG and the PNG renderers so both look the same. */
export interface ChartLayout {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  x(step: number): number;
  y(value: number): number;
  xTicks: number[];
  yTicks: number[];
  titleY: number;
  xLabelY: number;
  yLabelX: number;
  legend: LegendItem[];
}

function niceStep(span: number, max: number, integer: boolean): number {
  let step = 10 ** Math.floor(Math.log10(span / max));
  for (const m of [1, 2, 5, 10]) {
    if (span / (step * m) <= max) {
      step *= m;
      break;
    }
  }
  return integer ? Math.max(1, Math.round(step)) : step;
}

/** [lo, hi] widened to whole tick steps, so the axis ends on labelled ticks. */
export function niceRange(lo: number, hi: number, max: number): { lo: number; hi: number } {
  if (!(hi - lo > 0)) return { lo, hi };
  const step = niceStep(hi - lo, max, false);
  return { lo: Math.floor(lo / step + 1e-9) * step, hi: Math.ceil(hi / step - 1e-9) * step };
}

/** Round tick values (1, 2 or 5 × 10^k apart) covering [lo, hi], at most `max` of them. */
export function niceTicks(lo: number, hi: number, max: number, integer = false): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const step = niceStep(span, max, integer);
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

/** Tick label: at most two decimals, no trailing zeros. */
export function tickLabel(v: number): string {
  return String(Number(v.toFixed(2)));
}

export function legendWidth(name: string): number {
  return SWATCH_W + 6 + name.length * CHAR_W + 16;
}

/** Lays out a chart: plot area, ticks, axis labels, and the legend in rows below the plot (never over the lines). */
export function layoutChart(chart: ChartSpec, spans: AgentSpan[]): ChartLayout {
  const raw = chartBounds(chart, spans);
  const yr = niceRange(raw.y0, raw.y1, 5);
  const b = { ...raw, y0: yr.lo, y1: yr.hi };
  const plot = { left: PLOT.left, right: CHART_W - PLOT.right, top: PLOT.top, bottom: PLOT.top + PLOT.height };
  const items: Omit<LegendItem, 'x' | 'y'>[] = [
    ...chart.series.map((s) => ({ kind: 'line' as const, name: s.name, color: s.color })),
    ...[...new Set(spans.map((s) => s.role))].map((role) => ({
      kind: 'box' as const,
      name: `${role} trained`,
      color: ROLE_TINT[role],
    })),
    ...(spans.length > 1 ? [{ kind: 'dash' as const, name: 'agent switch', color: SWITCH_COLOR }] : []),
  ];
  const legendTop = plot.bottom + TICKS_H + XLABEL_H + 4;
  const legend: LegendItem[] = [];
  let cx = plot.left;
  let row = 0;
  for (const item of items) {
    const w = legendWidth(item.name);
    if (cx > plot.left && cx + w > plot.right) {
      row++;
      cx = plot.left;
    }
    legend.push({ ...item, x: cx, y: legendTop + row * LEGEND_ROW_H });
    cx += w;
  }
  const rows = items.length === 0 ? 0 : row + 1;
  const pw = plot.right - plot.left;
  const ph = plot.bottom - plot.top;
  return {
    width: CHART_W,
    height: legendTop + rows * LEGEND_ROW_H + 6,
    plot,
    x: (step) => plot.left + ((step - b.x0) / (b.x1 - b.x0)) * pw,
    y: (v) => plot.top + (1 - (v - b.y0) / (b.y1 - b.y0)) * ph,
    xTicks: niceTicks(b.x0, b.x1, 10, true),
    yTicks: niceTicks(b.y0, b.y1, 5),
    titleY: 8,
    xLabelY: plot.bottom + TICKS_H + 2,
    yLabelX: 8,
    legend,
  };
}
