import { at, mulberry32 } from '@magic/core';

/** One judged example against its gold label; `predicted` null = the guard's reply could not be parsed. */
export interface ScoredItem {
  predicted: 0 | 1 | null;
  label: 0 | 1;
  /** Items sharing a cluster (a source group) are resampled together by the bootstrap. */
  cluster?: string;
}

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** A two-sided percentile bootstrap interval. */
export type Interval = [lower: number, upper: number];

export interface LabelMetrics extends Confusion {
  n: number;
  positives: number;
  /** Replies that could not be parsed; each counts as the wrong answer. */
  unparsed: number;
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  /** 95% intervals (cluster bootstrap); null when no resampling was asked for or there are no items. */
  ci: { precision: Interval; recall: Interval; f1: Interval } | null;
}

/** Precision / recall / F1 / accuracy from counts; a 0/0 ratio is 0. */
export function ratesOf(c: Confusion): { precision: number; recall: number; f1: number; accuracy: number } {
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    accuracy: ratio(c.tp + c.tn, c.tp + c.fp + c.fn + c.tn),
  };
}

/** Confusion counts; an unparsed prediction counts as the opposite of the gold label, so it can never help. */
export function confusionOf(items: readonly ScoredItem[]): Confusion & { unparsed: number } {
  const c = { tp: 0, fp: 0, fn: 0, tn: 0, unparsed: 0 };
  for (const { predicted, label } of items) {
    if (predicted === null) c.unparsed += 1;
    const p = predicted ?? 1 - label;
    if (p === 1 && label === 1) c.tp += 1;
    else if (p === 1) c.fp += 1;
    else if (label === 1) c.fn += 1;
    else c.tn += 1;
  }
  return c;
}

export interface LabelMetricsOptions {
  /** Bootstrap resamples for the intervals (1000); 0 = no intervals. */
  bootstrap?: number;
  /** Seed of the resampling (0). */
  seed?: number;
  confidence?: number;
}

/**
 * Metrics of the positive class with percentile-bootstrap intervals. Clusters (source groups) are resampled
 * whole, because rows of one group (a seed, its rewrites and the replies to it) are not independent.
 */
export function labelMetrics(items: readonly ScoredItem[], options: LabelMetricsOptions = {}): LabelMetrics {
  const c = confusionOf(items);
  const base = { n: items.length, positives: c.tp + c.fn, ...c, ...ratesOf(c) };
  const samples = options.bootstrap ?? 1000;
  if (samples <= 0 || items.length === 0) return { ...base, ci: null };
  const byCluster = new Map<string, Confusion>();
  items.forEach((item, i) => {
    const key = item.cluster ?? `#${i}`;
    const one = confusionOf([item]);
    const acc = byCluster.get(key);
    if (acc === undefined) byCluster.set(key, { tp: one.tp, fp: one.fp, fn: one.fn, tn: one.tn });
    else {
      acc.tp += one.tp;
      acc.fp += one.fp;
      acc.fn += one.fn;
      acc.tn += one.tn;
    }
  });
  const clusters = [...byCluster.values()];
  const random = mulberry32(options.seed ?? 0);
  const draws = { precision: [] as number[], recall: [] as number[], f1: [] as number[] };
  for (let s = 0; s < samples; s++) {
    const sum = { tp: 0, fp: 0, fn: 0, tn: 0 };
    for (let k = 0; k < clusters.length; k++) {
      const pick = at(clusters, Math.floor(random() * clusters.length), 'clusters');
      sum.tp += pick.tp;
      sum.fp += pick.fp;
      sum.fn += pick.fn;
      sum.tn += pick.tn;
    }
    const r = ratesOf(sum);
    draws.precision.push(r.precision);
    draws.recall.push(r.recall);
    draws.f1.push(r.f1);
  }
  const alpha = 1 - (options.confidence ?? 0.95);
  // Same index rule as @magic/benchmarks' bootstrapCi.
  const interval = (values: number[]): Interval => {
    values.sort((a, b) => a - b);
    const lower = Math.min(samples - 1, Math.floor((alpha / 2) * samples));
    const upper = Math.max(0, Math.ceil((1 - alpha / 2) * samples) - 1);
    return [at(values, lower, 'bootstrap draws'), at(values, upper, 'bootstrap draws')];
  };
  return {
    ...base,
    ci: { precision: interval(draws.precision), recall: interval(draws.recall), f1: interval(draws.f1) },
  };
}
