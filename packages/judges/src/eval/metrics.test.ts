import { defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { labelMetrics, type ScoredItem } from './metrics.js';

const planted: ScoredItem[] = [
  { predicted: 1, label: 1 },
  { predicted: 1, label: 1 },
  { predicted: 1, label: 1 },
  { predicted: 1, label: 0 },
  { predicted: 0, label: 1 },
  { predicted: 0, label: 1 },
  { predicted: null, label: 0 },
  { predicted: 0, label: 0 },
];

describe('labelMetrics', () => {
  it('matches hand-computed counts: tp 3, fp 2 (one unparsed), fn 2, tn 1 -> P = R = F1 = 0.6', () => {
    const m = labelMetrics(planted, { bootstrap: 0 });
    expect(m).toMatchObject({ n: 8, positives: 5, tp: 3, fp: 2, fn: 2, tn: 1, unparsed: 1, ci: null });
    expect(m.precision).toBeCloseTo(0.6, 12);
    expect(m.recall).toBeCloseTo(0.6, 12);
    expect(m.f1).toBeCloseTo(0.6, 12);
    expect(m.accuracy).toBeCloseTo(0.5, 12);
  });

  it('resamples clusters whole: one cluster gives a zero-width interval, singletons do not', () => {
    const one = labelMetrics(
      planted.map((x) => ({ ...x, cluster: 'all' })),
      { bootstrap: 200 },
    );
    expect(defined(one.ci, 'one.ci').f1).toEqual([0.6, 0.6]);
    const apart = labelMetrics(planted, { bootstrap: 200, seed: 3 });
    expect(defined(apart.ci, 'apart.ci').f1[0]).toBeLessThan(0.6);
    expect(defined(apart.ci, 'apart.ci').f1[1]).toBeGreaterThan(0.6);
    expect(labelMetrics(planted, { bootstrap: 200, seed: 3 })).toEqual(apart);
  });
});
