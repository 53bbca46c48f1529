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
  if (limitK || p.topP < 1) idx.sort((a, b) => lp[b]! - lp[a]!);
  if (limitK) idx = idx.slice(0, p.topK);
  let max = Number.NEGATIVE_INFINITY;
  for (const i of idx) max = Math.max(max, lp[i]! / p.temperature);
  const w = idx.map((i) => Math.exp(lp[i]! / p.temperature - max));
  let total = w.reduce((a, b) => a + b, 0);
  if (p.topP < 1) {
    let cum = 0;
    let keep = 0;
    while (keep < w.length && cum < p.topP * total) cum += w[keep++]!;
    idx = idx.slice(0, Math.max(1, keep));
    w.length = idx.length;
    total = w.reduce((a, b) => a + b, 0);
  }
  let r = rng.next() * total;
  for (let j = 0; j < idx.length; j++) {
    r -= w[j]!;
    if (r <= 0) return idx[j]!;
  }
  return idx[idx.length - 1]!;
}

export function argMax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

/** Inverse-CDF sample from softmax(lp / temperature) over the whole vocabulary, without allocations. */
function sampleFull(lp: Float32Array, temperature: number, rng: Rng): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < lp.length; i++) if (lp[i]! > max) max = lp[i]!;
  const inv = 1 / temperature;
  let total = 0;
  for (let i = 0; i < lp.length; i++) total += Math.exp((lp[i]! - max) * inv);
  let r = rng.next() * total;
  for (let i = 0; i < lp.length; i++) {
    r -= Math.exp((lp[i]! - max) * inv);
    if (r <= 0) return i;
  }
  return argMax(lp);
}
