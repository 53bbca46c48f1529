import { describe, expect, it } from 'vitest';
import { erfc, normalCdf, twoProportionZTest } from './two-proportion.js';

// Reference values: Python's math.erfc (C libm), and the pooled z statistic written out by hand,
// z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)), p = 2 * (1 - Φ(|z|)) = erfc(|z| / √2).
describe('erfc / normalCdf', () => {
  it('matches libm across the series and continued-fraction ranges', () => {
    const cases: [number, number][] = [
      [0, 0.5],
      [0.5, 0.6914624612740131],
      [1, 0.8413447460685429],
      [1.959963985, 0.9750000000268816],
      [3, 0.9986501019683699],
    ];
    for (const [x, cdf] of cases) {
      expect(normalCdf(x)).toBeCloseTo(cdf, 14);
      expect(normalCdf(-x)).toBeCloseTo(1 - cdf, 14);
    }
    // upper tails, relative accuracy where 1 - Φ would round to 0 or 1
    const tails: [number, number][] = [
      [5, 2.866515718791946e-7],
      [8, 6.220960574271819e-16],
    ];
    for (const [x, upper] of tails) expect(normalCdf(-x) / upper).toBeCloseTo(1, 12);
    expect(erfc(2.4999)).toBeCloseTo(erfc(2.5001), 4); // continuous where the two methods meet
    expect(erfc(Number.NaN)).toBeNaN();
  });
});

describe('twoProportionZTest', () => {
  it("reproduces statsmodels' documented proportions_ztest example", () => {
    // statsmodels docs: proportions_ztest(count=[5, 12], nobs=[83, 99]) -> (-1.4078304151258787, 0.15918129181156992)
    const t = twoProportionZTest(5, 83, 12, 99);
    expect(t.z).toBeCloseTo(-1.4078304151258787, 12);
    expect(t.pValue).toBeCloseTo(0.15918129181156992, 12);
  });

  it('matches hand-computed z and two-sided p-values', () => {
    const cases: [number, number, number, number, number, number][] = [
      [15, 50, 25, 50, -2.041241452319, 4.122683333716e-2],
      [28, 100, 45, 100, -2.49689700644, 1.252853390735e-2],
      [70, 100, 40, 100, 4.264014327112, 2.007865612426e-5],
      [0, 100, 10, 100, -3.244428422615, 1.176865910625e-3],
      [1, 1000, 2, 1000, -0.577783769641, 5.634101143894e-1],
    ];
    for (const [k1, n1, k2, n2, z, p] of cases) {
      const t = twoProportionZTest(k1, n1, k2, n2);
      expect(t.z).toBeCloseTo(z, 10);
      expect(t.pValue / p).toBeCloseTo(1, 9);
      expect(t.difference).toBeCloseTo(k1 / n1 - k2 / n2, 15);
      expect(t.pooled).toBeCloseTo((k1 + k2) / (n1 + n2), 15);
    }
  });

  it('is symmetric: swapping the samples flips z and keeps p', () => {
    const a = twoProportionZTest(28, 100, 45, 100);
    const b = twoProportionZTest(45, 100, 28, 100);
    expect(b.z).toBeCloseTo(-a.z, 14);
    expect(b.pValue).toBeCloseTo(a.pValue, 14);
  });

  it('gives z = 0, p = 1 for equal proportions, including zero variance', () => {
    expect(twoProportionZTest(30, 100, 30, 100)).toMatchObject({ z: 0, pValue: 1 });
    expect(twoProportionZTest(0, 40, 0, 60)).toMatchObject({ z: 0, pValue: 1 });
    expect(twoProportionZTest(40, 40, 60, 60)).toMatchObject({ z: 0, pValue: 1 });
  });

  it('rejects counts that are not a proportion', () => {
    expect(() => twoProportionZTest(5, 0, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(11, 10, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(1.5, 10, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(-1, 10, 1, 10)).toThrow(RangeError);
  });
});
