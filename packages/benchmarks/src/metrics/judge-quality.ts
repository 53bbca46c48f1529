import { at } from '@magic/core';
import { type BootstrapOptions, type ConfidenceInterval, mulberry32 } from './bootstrap.js';

/** One judged item against its gold label; `predicted` null = the judge reply could not be parsed. */
export interface LabelledPrediction {
  predicted: boolean | null;
  label: boolean;
}

export interface BinaryClassificationMetrics {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  n: number;
  parseFailures: number;
}

/**
 * Precision / recall / F1 of the positive class (harmful, refusal...). A parse failure counts as the
 * WRONG answer (the opposite of the gold label), so an unparseable judge cannot look better.
 * Undefined ratios (0/0) are 0.
 */
export function binaryClassificationMetrics(items: readonly LabelledPrediction[]): BinaryClassificationMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let parseFailures = 0;
  for (const { predicted, label } of items) {
    if (predicted === null) parseFailures += 1;
    const p = predicted ?? !label;
    if (p && label) tp += 1;
    else if (p && !label) fp += 1;
    else if (!p && label) fn += 1;
    else tn += 1;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    accuracy: ratio(tp + tn, items.length),
    tp,
    fp,
    fn,
    tn,
    n: items.length,
    parseFailures,
  };
}

/**
 * Percentile-bootstrap CIs of precision / recall / F1 / accuracy. Items sharing a `cluster` are resampled
 * together (rows of one behaviour are not independent); items without one are their own cluster. Same index
 * rule as `bootstrapCi`; no items gives null.
 */
export function binaryClassificationCis(
  items: readonly (LabelledPrediction & { cluster?: string })[],
  options: BootstrapOptions = {},
): Record<'precision' | 'recall' | 'f1' | 'accuracy', ConfidenceInterval> | null {
  if (items.length === 0) return null;
  const confidence = options.confidence ?? 0.95;
  const samples = options.samples ?? 1000;
  const rng = options.rng ?? mulberry32(options.seed ?? 0);
  const clusters = new Map<string, LabelledPrediction[]>();
  items.forEach((item, i) => {
    const key = item.cluster ?? `#${i}`;
    const list = clusters.get(key);
    if (list === undefined) clusters.set(key, [item]);
    else list.push(item);
  });
  const groups = [...clusters.values()];
  const draws = { precision: [] as number[], recall: [] as number[], f1: [] as number[], accuracy: [] as number[] };
  for (let s = 0; s < samples; s += 1) {
    const resample: LabelledPrediction[] = [];
    for (let k = 0; k < groups.length; k += 1)
      resample.push(...at(groups, Math.floor(rng() * groups.length), 'groups'));
    const m = binaryClassificationMetrics(resample);
    draws.precision.push(m.precision);
    draws.recall.push(m.recall);
    draws.f1.push(m.f1);
    draws.accuracy.push(m.accuracy);
  }
  const alpha = 1 - confidence;
  const interval = (values: number[]): ConfidenceInterval => {
    values.sort((a, b) => a - b);
    return {
      lower: at(values, Math.min(samples - 1, Math.floor((alpha / 2) * samples)), 'values'),
      upper: at(values, Math.max(0, Math.ceil((1 - alpha / 2) * samples) - 1), 'values'),
      confidence,
    };
  };
  return {
    precision: interval(draws.precision),
    recall: interval(draws.recall),
    f1: interval(draws.f1),
    accuracy: interval(draws.accuracy),
  };
}
