/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9): about 1e-15 relative error, enough for the incomplete beta below. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ] as const;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  const t = y + 7.5;
  let a = 0;
  for (const [i, ci] of c.entries()) a += i === 0 ? ci : ci / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularised incomplete beta (modified Lentz, Numerical Recipes' betacf). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const guard = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / guard(1 - ((a + b) * x) / (a + 1));
  let h = d;
  // one Lentz update with the next coefficient: returns the factor h is multiplied by
  const next = (aa: number) => {
    d = 1 / guard(1 + aa * d);
    c = guard(1 + aa / c);
    return d * c;
  };
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    h *= next((m * (b - m) * x) / ((a + m2 - 1) * (a + m2)));
    const step = next((-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)));
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // the continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) beyond
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTCdf: df must be > 0, got ${df}`);
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** The t with P(T ≤ t) = p (bisection on the CDF, to 1e-12). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  let lo = -1e6;
  let hi = 1e6;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface PairedDifference {
  n: number;
  mean: number;
  sd: number;
  /** Student-t confidence interval of the mean difference. */
  ciLow: number;
  ciHigh: number;
  confidence: number;
  /** The t statistic; null when the differences have no spread (JSON has no infinity). */
  t: number | null;
  df: number;
  /** Two-sided p-value of "mean difference = 0". */
  pValue: number;
}

/**
 * The paired t-test on per-unit differences (e.g. co-evolved − fixed-attacker ASR, one difference per training seed):
 * the mean, its Student-t CI and the two-sided p-value. Needs at least two differences; with zero spread the CI is
 * the mean itself, t is null and p is 0 (a non-zero mean), or t is 0 and p is 1 (all zero).
 */
export function pairedMeanDifference(differences: readonly number[], confidence = 0.95): PairedDifference {
  const n = differences.length;
  if (n < 2) throw new RangeError(`pairedMeanDifference: need at least 2 differences, got ${n}`);
  if (differences.some((d) => !Number.isFinite(d))) throw new RangeError('pairedMeanDifference: non-finite difference');
  const mean = differences.reduce((s, d) => s + d, 0) / n;
  const sd = Math.sqrt(differences.reduce((s, d) => s + (d - mean) ** 2, 0) / (n - 1));
  const se = sd / Math.sqrt(n);
  const df = n - 1;
  if (se === 0) {
    return {
      n,
      mean,
      sd,
      ciLow: mean,
      ciHigh: mean,
      confidence,
      t: mean === 0 ? 0 : null,
      df,
      pValue: mean === 0 ? 1 : 0,
    };
  }
  const t = mean / se;
  const q = studentTQuantile(1 - (1 - confidence) / 2, df);
  return {
    n,
    mean,
    sd,
    ciLow: mean - q * se,
    ciHigh: mean + q * se,
    confidence,
    t,
    df,
    pValue: Math.min(1, 2 * studentTCdf(-Math.abs(t), df)),
  };
}
