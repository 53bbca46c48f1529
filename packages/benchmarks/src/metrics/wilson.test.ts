import { describe, expect, it } from 'vitest';
import { normalQuantile, wilsonInterval } from './wilson.js';

// Expected bounds computed by hand from the Wilson formula with z = 1.959963985:
// centre (p + z²/2n) / (1 + z²/n), half-width z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
describe('wilsonInterval', () => {
  it('matches hand-computed 95% intervals', () => {
    const cases: [number, number, number, number][] = [
      [0, 10, 0, 0.2775328],
      [5, 10, 0.2365931, 0.7634069],
      [50, 100, 0.4038315, 0.5961685],
      [10, 10, 0.7224672, 1],
      [3, 250, 0.0040893, 0.0346808],
    ];
    for (const [k, n, lower, upper] of cases) {
      const ci = wilsonInterval(k, n);
      expect(ci.lower).toBeCloseTo(lower, 6);
      expect(ci.upper).toBeCloseTo(upper, 6);
      expect(ci.confidence).toBe(0.95);
    }
  });

  it('narrows as n grows and widens with the confidence level', () => {
    const small = wilsonInterval(5, 10);
    const large = wilsonInterval(50, 100);
    expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower);
    const ci99 = wilsonInterval(50, 100, 0.99);
    expect(ci99.lower).toBeLessThan(large.lower);
    expect(ci99.upper).toBeGreaterThan(large.upper);
  });

  it('is NaN for no samples and rejects impossible counts', () => {
    const ci = wilsonInterval(0, 0);
    expect(ci.lower).toBeNaN();
    expect(ci.upper).toBeNaN();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
  });
});

describe('normalQuantile', () => {
  it('gives the familiar critical values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829304, 8);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 8);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});
