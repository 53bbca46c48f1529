import { at } from '@magic/core';
/**
 * ROUGE-L as Google's `rouge-score` computes it (`RougeScorer(['rougeL'], use_stemmer=False)`): lower-case, every
 * run of characters outside [a-z0-9] becomes a space, tokens are the remaining [a-z0-9]+ runs; LCS length over the
 * two token lists; precision = lcs / |prediction|, recall = lcs / |reference|, F = 2PR / (P + R); 0 when either
 * side has no tokens.
 */
export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** rouge-score's tokenizer without stemming (non-ASCII letters are separators, as there). */
export function rougeTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((t) => t !== '');
}

/** Length of the longest common subsequence of two token lists (two rolling rows of the DP table). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Array<number>(b.length + 1).fill(0);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (const ai of a) {
    // left = cur[j - 1] and diag = prev[j - 1], carried along the row
    let left = 0;
    let diag = 0;
    for (const [k, bj] of b.entries()) {
      const up = at(prev, k + 1, 'LCS row');
      left = ai === bj ? diag + 1 : Math.max(up, left);
      cur[k + 1] = left;
      diag = up;
    }
    [prev, cur] = [cur, prev];
  }
  return at(prev, b.length, 'LCS row');
}

/** ROUGE-L of `prediction` against `reference` (rouge-score's `_score_lcs`). */
export function rougeL(reference: string, prediction: string): RougeScore {
  const ref = rougeTokens(reference);
  const pred = rougeTokens(prediction);
  const lcs = lcsLength(ref, pred);
  if (lcs === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const precision = lcs / pred.length;
  const recall = lcs / ref.length;
  return { precision, recall, fmeasure: (2 * precision * recall) / (precision + recall) };
}
