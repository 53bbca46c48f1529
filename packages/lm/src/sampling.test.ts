import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';
import { sampleFromLogProbs } from './sampling.js';

function freqs(lp: number[], params: { temperature: number; topP: number; topK: number }, n = 20000): number[] {
  const rng = new Rng(123);
  const counts = lp.map(() => 0);
  const a = Float32Array.from(lp);
  for (let i = 0; i < n; i++) {
    const id = sampleFromLogProbs(a, params, rng);
    counts[id] = at(counts, id, 'counts') + 1;
  }
  return counts.map((c) => c / n);
}

describe('sampleFromLogProbs', () => {
  const lp = [0.5, 0.3, 0.15, 0.05].map(Math.log);
  it('samples the full distribution at temperature 1', () => {
    const f = freqs(lp, { temperature: 1, topP: 1, topK: 0 });
    for (const [i, p] of [0.5, 0.3, 0.15, 0.05].entries()) expect(at(f, i, 'f')).toBeCloseTo(p, 1);
  });
  it('applies top-k and top-p (renormalized) and greedy', () => {
    const k2 = freqs(lp, { temperature: 1, topP: 1, topK: 2 });
    expect(at(k2, 0, 'k2')).toBeCloseTo(0.625, 1);
    expect(at(k2, 2, 'k2') + at(k2, 3, 'k2')).toBe(0);
    const p = freqs(lp, { temperature: 1, topP: 0.7, topK: 0 });
    expect(at(p, 2, 'p') + at(p, 3, 'p')).toBe(0);
    expect(sampleFromLogProbs(Float32Array.from(lp), { temperature: 0, topP: 1, topK: 0 }, new Rng(1))).toBe(0);
  });
  it('sharpens with low temperature', () => {
    const f = freqs(lp, { temperature: 0.25, topP: 1, topK: 0 });
    expect(at(f, 0, 'f')).toBeGreaterThan(0.85);
  });
});
