import { at } from '@magic/core';
import type { Rng } from './rng.js';

export interface SamplingParams {
  temperature: number;
  topP: number;
  topK: number;
}

/** Samples one id from log-probs (temperature, then top-k, then top-p); temperature 0 = argmax. */
export function sampleFromLogProbs(lp: Float32Array, p: SamplingParams, rng: Rng): number {
  if (p.temperature === 0) return argMax(lp);
  const n = lp.length;
  if (!(p.topK > 0 && p.topK < n) && p.topP >= 1) return sampleFull(lp, p.temperature, rng);
  let idx = Array.from({ length: n }, (_, i) => i);
  const limitK = p.topK > 0 && p.topK < n;
  if (limitK || p.topP < 1) idx.sort((a, b) => at(lp, b, 'log-probs') - at(lp, a, 'log-probs'));
  if (limitK) idx = idx.slice(0, p.topK);
  let max = Number.NEGATIVE_INFINITY;
  for (const i of idx) max = Math.max(max, at(lp, i, 'log-probs') / p.temperature);
  const w = idx.map((i) => Math.exp(at(lp, i, 'log-probs') / p.temperature - max));
  let total = w.reduce((a, b) => a + b, 0);
  if (p.topP < 1) {
    let cum = 0;
    let keep = 0;
    for (const wk of w) {
      if (!(cum < p.topP * total)) break;
      cum += wk;
      keep++;
    }
    idx = idx.slice(0, Math.max(1, keep));
    w.length = idx.length;
    total = w.reduce((a, b) => a + b, 0);
  }
  let r = rng.next() * total;
  for (let j = 0; j < idx.length; j++) {
    r -= at(w, j, 'weights');
    if (r <= 0) return at(idx, j, 'candidates');
  }
  return at(idx, idx.length - 1, 'candidates');
}

export function argMax(a: Float32Array): number {
  if (a.length === 0) return 0;
  let best = 0;
  let bestValue = at(a, 0, 'log-probs');
  for (let i = 1; i < a.length; i++) {
    const v = at(a, i, 'log-probs');
    if (v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

/** Inverse-CDF sample from softmax(lp / temperature) over the whole vocabulary, without allocations. */
function sampleFull(lp: Float32Array, temperature: number, rng: Rng): number {
  // index loops with `at` (inlined by V8), not for-of: for-of over a Float32Array measured 2–4× slower on Node 20
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < lp.length; i++) {
    const v = at(lp, i, 'log-probs');
    if (v > max) max = v;
  }
  const inv = 1 / temperature;
  let total = 0;
  for (let i = 0; i < lp.length; i++) total += Math.exp((at(lp, i, 'log-probs') - max) * inv);
  let r = rng.next() * total;
  for (let i = 0; i < lp.length; i++) {
    r -= Math.exp((at(lp, i, 'log-probs') - max) * inv);
    if (r <= 0) return i;
  }
  return argMax(lp);
}
