import { at, InvariantError } from '@magic/core';
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
  if (limitK || p.topP < 1) idx.sort((a, b) => logProbAt(lp, b) - logProbAt(lp, a));
  if (limitK) idx = idx.slice(0, p.topK);
  let max = Number.NEGATIVE_INFINITY;
  for (const i of idx) max = Math.max(max, logProbAt(lp, i) / p.temperature);
  const w = idx.map((i) => Math.exp(logProbAt(lp, i) / p.temperature - max));
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
  let j = 0;
  for (const wj of w) {
    r -= wj;
    if (r <= 0) return at(idx, j, 'candidates');
    j++;
  }
  return at(idx, idx.length - 1, 'candidates');
}

export function argMax(a: Float32Array): number {
  if (a.length === 0) return 0;
  let best = 0;
  let bestValue = logProbAt(a, 0);
  for (let i = 1; i < a.length; i++) {
    const v = logProbAt(a, i);
    if (v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

/** Inverse-CDF sample from softmax(lp / temperature) over the whole vocabulary, without allocations. */
function sampleFull(lp: Float32Array, temperature: number, rng: Rng): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < lp.length; i++) {
    const v = logProbAt(lp, i);
    if (v > max) max = v;
  }
  const inv = 1 / temperature;
  let total = 0;
  for (let i = 0; i < lp.length; i++) total += Math.exp((logProbAt(lp, i) - max) * inv);
  let r = rng.next() * total;
  for (let i = 0; i < lp.length; i++) {
    r -= Math.exp((logProbAt(lp, i) - max) * inv);
    if (r <= 0) return i;
  }
  return argMax(lp);
}

/**
 * `lp[i]`, checked. Its own function rather than @magic/core's `at`: only Float32Arrays reach it, so V8 keeps its
 * element load monomorphic (`at`, fed every array kind in a program, measured 3-5x slower in these loops).
 */
function logProbAt(lp: Float32Array, i: number): number {
  const v = lp[i];
  if (v === undefined) throw new InvariantError(`log-probs[${i}] (length ${lp.length})`);
  return v;
}
