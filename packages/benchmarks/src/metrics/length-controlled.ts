/**
 * AlpacaEval 2 length-controlled win rate (Dubois et al. 2024, alpaca_eval `metrics/glm_winrate.py`,
 * GLM "length_controlled_v1": preference ~ tanh(std_delta_len) + instruction_difficulty + model - 1).
 *
 * Kept: the logistic GLM on the judge's preference (a probability, fitted with the soft-label log loss), no intercept,
 * the terms tanh(delta_len / std(delta_len)) with delta_len = len(baseline) - len(model) in characters and std the
 * sample std (not centred), instruction_difficulty when every item carries it, and the model-identity term; the LC
 * win rate is the mean predicted preference with delta_len set to 0.
 * Not kept: alpaca_eval's L1-penalised LogisticRegressionCV (5 group folds) and its regularisation towards the
 * "gamed" baselines (df_gamed.csv from the hub, weight 0.2); here the fit is the unpenalised maximum-likelihood one
 * (optional L2 `l2`), so on small or separable data it can differ from alpaca_eval's numbers.
 */
import { at, defined } from '@magic/core';

export interface PairwisePreference {
  /** Probability that the model's output beats the baseline's (1 win, 0 loss, 0.5 tie); null = no verdict. */
  preference: number | null;
  modelLength: number;
  baselineLength: number;
  /** alpaca_eval's per-instruction difficulty (instruction_difficulty.csv), when known. */
  instructionDifficulty?: number | undefined;
}

export interface LengthControlledResult {
  /** Mean preference over judged items (alpaca_eval `win_rate` / 100). */
  winRate: number;
  /** Mean GLM prediction with zero length difference (alpaca_eval `length_controlled_winrate` / 100). */
  lengthControlledWinRate: number;
  /** Fitted GLM weights by term; absent terms were dropped (no variation or no data). */
  weights: { lengthTanh?: number; instructionDifficulty?: number; model: number };
  /** Items with a verdict (used in the fit). */
  n: number;
}

const logistic = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Solves a small symmetric positive-definite system by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, at(b, i, 'right-hand side')]);
  const cell = (r: number, c: number) => at(at(m, r, 'matrix row'), c, 'matrix cell');
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < n; r += 1) if (Math.abs(cell(r, col)) > Math.abs(cell(pivot, col))) pivot = r;
    const pivotRow = at(m, pivot, 'pivot row');
    m[pivot] = at(m, col, 'matrix row');
    m[col] = pivotRow;
    for (let r = col + 1; r < n; r += 1) {
      const row = at(m, r, 'matrix row');
      const f = at(row, col, 'matrix cell') / at(pivotRow, col, 'pivot');
      for (let c = col; c <= n; c += 1) row[c] = at(row, c, 'matrix cell') - f * at(pivotRow, c, 'pivot row cell');
    }
  }
  const x = Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r -= 1) {
    let s = cell(r, n);
    for (let c = r + 1; c < n; c += 1) s -= cell(r, c) * at(x, c, 'solution');
    x[r] = s / cell(r, r);
  }
  return x;
}

/** x · w for one feature row (the rows and the weights have the same length by construction). */
const dot = (x: readonly number[], w: readonly number[]) => x.reduce((s, xi, i) => s + xi * at(w, i, 'weight'), 0);

/** Soft-label logistic regression without intercept by Newton's method; `l2` penalises every weight. */
export function fitSoftLogistic(rows: readonly number[][], targets: readonly number[], l2 = 0): number[] {
  const d = rows[0]?.length ?? 0;
  let w = Array<number>(d).fill(0);
  for (let iter = 0; iter < 100; iter += 1) {
    const grad = w.map((wi) => -l2 * wi);
    // a 1e-9 ridge keeps the Newton step defined when a term nearly separates the data; it is not in the objective
    const hess = w.map((_, i) => w.map((__, j) => (i === j ? l2 + 1e-9 : 0)));
    rows.forEach((x, k) => {
      const p = logistic(dot(x, w));
      const residual = at(targets, k, 'target') - p;
      x.forEach((xi, i) => {
        grad[i] = at(grad, i, 'gradient') + residual * xi;
        const hessRow = at(hess, i, 'hessian row');
        x.forEach((xj, j) => {
          hessRow[j] = at(hessRow, j, 'hessian cell') + p * (1 - p) * xi * xj;
        });
      });
    });
    const step = solve(hess, grad);
    w = w.map((wi, i) => wi + at(step, i, 'Newton step'));
    if (Math.max(...step.map(Math.abs)) < 1e-12) break;
  }
  return w;
}

/** Sample standard deviation (ddof 1, as pandas' Series.std). */
function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

export function lengthControlledWinRate(
  items: readonly PairwisePreference[],
  options: { l2?: number } = {},
): LengthControlledResult {
  // std over every item (as alpaca_eval, which standardises before dropping rows without a preference)
  const std = sampleStd(items.map((i) => i.baselineLength - i.modelLength));
  const judged = items.flatMap((item) => (item.preference === null ? [] : [{ item, preference: item.preference }]));
  if (judged.length === 0) {
    return { winRate: Number.NaN, lengthControlledWinRate: Number.NaN, weights: { model: Number.NaN }, n: 0 };
  }
  const useLength = Number.isFinite(std) && std > 0;
  const useDifficulty = items.every((i) => i.instructionDifficulty !== undefined);
  const features = (i: PairwisePreference, zeroLength: boolean) => [
    ...(useLength ? [zeroLength ? 0 : Math.tanh((i.baselineLength - i.modelLength) / std)] : []),
    ...(useDifficulty ? [defined(i.instructionDifficulty, 'instructionDifficulty')] : []),
    1,
  ];
  const w = fitSoftLogistic(
    judged.map(({ item }) => features(item, false)),
    judged.map(({ preference }) => preference),
    options.l2 ?? 0,
  );
  const predicted = items.map((i) => logistic(dot(features(i, true), w)));
  let k = 0;
  const weights: LengthControlledResult['weights'] = { model: 0 };
  if (useLength) weights.lengthTanh = at(w, k++, 'length weight');
  if (useDifficulty) weights.instructionDifficulty = at(w, k++, 'difficulty weight');
  weights.model = at(w, k, 'model weight');
  return {
    winRate: judged.reduce((s, { preference }) => s + preference, 0) / judged.length,
    lengthControlledWinRate: predicted.reduce((s, p) => s + p, 0) / predicted.length,
    weights,
    n: judged.length,
  };
}
