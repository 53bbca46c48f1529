import { normaliseText } from '@magic/attack-pool';
import { describe, expect, it } from 'vitest';
import { EvalOverlapFilter } from './eval-filter.js';

const EVAL = normaliseText(
  'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen',
);

describe('EvalOverlapFilter', () => {
  it('drops an exact normalised match and an example holding half of an eval text’s 8-grams', () => {
    const f = new EvalOverlapFilter([EVAL]);
    expect(
      f.admit(0, [
        'One, two; THREE four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen!',
      ]),
    ).toBe('eval-exact');
    expect(f.admit(1, ['intro one two three four five six seven eight nine ten eleven twelve outro'])).toBe(
      'eval-ngram',
    );
    expect(f.admit(2, ['an unrelated sentence about gardens and rivers and hills in spring'])).toBeUndefined();
  });

  it('drops examples that only together contain ≥ 90% of an eval text', () => {
    const f = new EvalOverlapFilter([EVAL]);
    // 9 grams in total; each example holds 2-4 of them (< 50%), together all 9.
    expect(f.admit(0, ['one two three four five six seven eight nine ten'])).toBeUndefined();
    expect(f.admit(1, ['four five six seven eight nine ten eleven twelve thirteen'])).toBeUndefined();
    expect(f.admit(2, ['seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen'])).toBeUndefined();
    expect(f.admit(3, ['gardens and rivers'])).toBeUndefined();
    expect([...f.unionDrops()].sort()).toEqual([0, 1, 2]);
  });

  it('keeps examples whose shared 8-grams stay under 90% together', () => {
    const f = new EvalOverlapFilter([EVAL]);
    expect(f.admit(0, ['one two three four five six seven eight nine ten'])).toBeUndefined();
    expect(f.unionDrops().size).toBe(0);
  });
});
