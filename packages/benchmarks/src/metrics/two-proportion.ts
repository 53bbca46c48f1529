/**
 * Complementary error function erfc(x) to about 1e-14 relative error, free of a statistics dependency:
 * the all-positive series erf(x) = 2/√π · e^{-x²} · Σ (2x²)^k x / (1·3·…·(2k+1)) below 2.5 (no cancellation),
 * the continued fraction of erfc (modified Lentz) from 2.5 on, where the series would lose the small tail.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    let term = x;
    let sum = x;
    for (let k = 1; k < 200 && term > sum * 1e-17; k += 1) {
      term *= (2 * x * x) / (2 * k + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))): partial numerators k/2
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k += 1) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** Standard normal distribution function Φ(x). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

export interface TwoProportionTest {
  /** k1 / n1 and k2 / n2. */
  p1: number;
  p2: number;
  /** p1 − p2. */
  difference: number;
  /** (k1 + k2) / (n1 + n2), the proportion under H0: p1 = p2. */
  pooled: number;
  /** (p1 − p2) / sqrt(pooled (1 − pooled) (1/n1 + 1/n2)). */
  z: number;
  /** Two-sided: 2 · (1 − Φ(|z|)). */
  pValue: number;
}

/**
 * Two-proportion z-test of H0: p1 = p2, two-sided, with the pooled variance and no continuity correction: the
 * default of statsmodels' `proportions_ztest([k1, k2], [n1, n2])` (its documented example, 5/83 vs 12/99, gives
 * z = −1.4078, p = 0.1592). When both samples are all successes or all failures the variance is 0 and the samples
 * agree: z = 0, p = 1 (statsmodels returns NaN there).
 */
export function twoProportionZTest(k1: number, n1: number, k2: number, n2: number): TwoProportionTest {
  for (const [k, n] of [
    [k1, n1],
    [k2, n2],
  ] as const) {
    if (!Number.isInteger(k) || !Number.isInteger(n) || n <= 0 || k < 0 || k > n) {
      throw new RangeError(`twoProportionZTest: need integers 0 <= k <= n, n > 0; got ${k}/${n}`);
    }
  }
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const pooled = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = se === 0 ? 0 : (p1 - p2) / se;
  return { p1, p2, difference: p1 - p2, pooled, z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}
