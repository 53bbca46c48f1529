import { describe, expect, it } from 'vitest';
import { lcsLength, rougeL, rougeTokens } from './rouge.js';

describe('rougeTokens (rouge-score tokenize, no stemmer)', () => {
  it('lower-cases, splits on every non-[a-z0-9] run and drops empty tokens', () => {
    expect(rougeTokens("The Cat's 2 hats -- e.g. ÉTÉ!")).toEqual(['the', 'cat', 's', '2', 'hats', 'e', 'g', 't']);
    expect(rougeTokens('  ...  ')).toEqual([]);
  });
});

describe('rougeL', () => {
  it('scores LCS precision, recall and F as rouge-score does', () => {
    // LCS of [the cat sat on the mat] and [the cat is on a mat] is [the cat on mat]: 4 of 6 each side
    const s = rougeL('The cat sat on the mat.', 'the cat is on a mat');
    expect(s.precision).toBeCloseTo(4 / 6, 12);
    expect(s.recall).toBeCloseTo(4 / 6, 12);
    expect(s.fmeasure).toBeCloseTo(4 / 6, 12);
    // a one-word reference inside a 12-word answer: P = 1/12, R = 1, F = 2/13
    const t = rougeL('Paris', 'I think that the answer to this question is Paris in France');
    expect(t.recall).toBe(1);
    expect(t.precision).toBeCloseTo(1 / 12, 12);
    expect(t.fmeasure).toBeCloseTo(2 / 13, 12);
  });

  it('is order-sensitive (a subsequence, not a bag of words)', () => {
    expect(rougeL('a b c d', 'd c b a').fmeasure).toBeCloseTo(0.25, 12);
    expect(lcsLength(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'y', 'd'])).toBe(3);
  });

  it('is 0 when either side has no tokens or nothing in common, 1 for the same tokens', () => {
    expect(rougeL('', 'anything')).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
    expect(rougeL('anything', '!!!')).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
    expect(rougeL('alpha beta', 'gamma delta')).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
    expect(rougeL('Yes, it is.', 'yes it IS')).toEqual({ precision: 1, recall: 1, fmeasure: 1 });
  });
});
