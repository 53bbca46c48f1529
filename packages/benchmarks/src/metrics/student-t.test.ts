import { describe, expect, it } from 'vitest';
import { incompleteBeta, pairedMeanDifference, studentTCdf, studentTQuantile } from './student-t.js';

describe('Student t', () => {
  it('matches tabulated quantiles t(0.975, df)', () => {
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302653, 5);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.776445, 5);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228139, 5);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042272, 5);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.776445, 5);
  });

  it('matches known CDF values and limits', () => {
    expect(studentTCdf(2, 5)).toBeCloseTo(0.9490303, 6);
    expect(studentTCdf(0, 3)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(-1, 1)).toBeCloseTo(0.25, 10); // Cauchy
    expect(studentTCdf(1.959964, 1e7)).toBeCloseTo(0.975, 5); // → normal
    expect(incompleteBeta(0.5, 2, 2)).toBeCloseTo(0.5, 12);
    expect(() => studentTCdf(1, 0)).toThrow(RangeError);
  });

  it('paired t-test as R t.test(c(1, 2, 3))', () => {
    const r = pairedMeanDifference([1, 2, 3]);
    expect(r.mean).toBe(2);
    expect(r.sd).toBeCloseTo(1, 12);
    expect(r.t).toBeCloseTo(3.464102, 5);
    expect(r.df).toBe(2);
    expect(r.pValue).toBeCloseTo(0.07418, 4);
    expect(r.ciLow).toBeCloseTo(-0.4841377, 5);
    expect(r.ciHigh).toBeCloseTo(4.4841377, 5);
  });

  it('handles zero spread and rejects too few or non-finite differences', () => {
    expect(pairedMeanDifference([0.1, 0.1])).toMatchObject({ ciLow: 0.1, ciHigh: 0.1, pValue: 0, t: null });
    expect(pairedMeanDifference([0, 0])).toMatchObject({ pValue: 1, t: 0 });
    expect(() => pairedMeanDifference([1])).toThrow(/at least 2/);
    expect(() => pairedMeanDifference([1, Number.NaN])).toThrow(/non-finite/);
  });
});
