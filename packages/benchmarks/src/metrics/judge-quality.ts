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
