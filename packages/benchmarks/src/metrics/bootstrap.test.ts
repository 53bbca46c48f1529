import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { bootstrapCi, mulberry32 } from './bootstrap.js';
import { rateWithCi } from './rate.js';

function sequence(values: number[]): () => number {
  let i = 0;
  return () => at(values, i++ % values.length, 'values');
}

describe('bootstrapCi', () => {
  it('matches a hand-computed percentile CI with an injected generator', () => {
    // resamples of [0, 1] (index = floor(r * 2)): [0,0] [0,1] [1,1] [1,0] → means 0, .5, 1, .5 → sorted 0 .5 .5 1
    const rng = () => sequence([0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.6, 0.2]);
    expect(bootstrapCi([0, 1], { samples: 4, rng: rng(), confidence: 0.95 })).toEqual({
      lower: 0,
      upper: 1,
      confidence: 0.95,
    });
    // confidence .5: lower index floor(.25*4)=1, upper index ceil(.75*4)-1=2
    expect(bootstrapCi([0, 1], { samples: 4, rng: rng(), confidence: 0.5 })).toEqual({
      lower: 0.5,
      upper: 0.5,
      confidence: 0.5,
    });
  });

  it('mulberry32 matches an independent implementation (Python port) for seed 0', () => {
    const rng = mulberry32(0);
    expect(rng()).toBeCloseTo(0.26642920868471265, 15);
    expect(rng()).toBeCloseTo(0.0003297457005828619, 15);
    expect(rng()).toBeCloseTo(0.2232720274478197, 15);
  });

  it('a seeded CI equals the value computed by the Python port (seed 42, 200 resamples)', () => {
    const flags = [1, 1, 1, 0, 0, 0, 0, 0, 1, 0].map(Boolean);
    const rate = rateWithCi(flags, { seed: 42, samples: 200 });
    expect(rate.value).toBe(0.4);
    expect(rate.count).toBe(4);
    expect(rate.n).toBe(10);
    expect(rate.ci.lower).toBeCloseTo(0.1, 12);
    expect(rate.ci.upper).toBeCloseTo(0.7, 12);
    expect(rateWithCi(flags, { seed: 42, samples: 200 })).toEqual(rate);
  });

  it('constant data gives a zero-width interval; empty data gives NaN', () => {
    expect(bootstrapCi([1, 1, 1], { seed: 3 })).toMatchObject({ lower: 1, upper: 1 });
    const empty = rateWithCi([]);
    expect(Number.isNaN(empty.value)).toBe(true);
    expect(Number.isNaN(empty.ci.lower)).toBe(true);
  });
});
