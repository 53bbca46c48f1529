import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { GuardEvalError } from '../errors.js';
import type { GuardExample } from '../local/dataset.js';
import { assignFamilies, parseFamilyMap } from './families.js';
import { runFamilyCv } from './family-cv.js';
import { type GuardRecipe, ngramGuardRecipe } from './recipe.js';

// Neutral placeholder texts: label 1 rows talk about "zorp" things, label 0 rows about "blim" things.
const words = ['red', 'green', 'blue', 'amber', 'violet', 'silver', 'golden', 'pale', 'dark', 'bright'];
function rows(family: string, n: number): GuardExample[] {
  return Array.from({ length: n }, (_, i) => {
    const label = (i % 2) as 0 | 1;
    const topic = label === 1 ? 'zorp' : 'blim';
    const text = `${family} item ${i}: describe the ${words[i % 10]} ${topic} ${words[(i + 3) % 10]} ${topic} shape near the ${words[(i + 5) % 10]} hill today`;
    return { task: 'prompt' as const, text, label, source: `${family}-src`, group: `${family}:${i}` };
  });
}

/** Wraps the n-gram recipe and records every training set it is given. */
function recording(): { recipe: GuardRecipe; seen: GuardExample[][] } {
  const inner = ngramGuardRecipe({ epochs: 3 });
  const seen: GuardExample[][] = [];
  return {
    seen,
    recipe: {
      name: 'recording-ngram',
      train: async (train, options) => {
        seen.push([...train]);
        return inner.train(train, options);
      },
    },
  };
}

describe('runFamilyCv', () => {
  const alpha = rows('alpha', 12);
  const beta = rows('beta', 12);
  const gamma = rows('gamma', 12);
  // A beta row that embeds an alpha text verbatim: a near-duplicate across families.
  const planted: GuardExample = {
    task: 'prompt',
    text: `please answer this one: ${at(alpha, 1, 'alpha').text}`,
    label: 1,
    source: 'beta-src',
    group: 'beta:planted',
  };
  const all = [...alpha, ...beta, planted, ...gamma];
  const families = all.map((r) => r.source.replace('-src', ''));

  it('holds out each family whole, drops cross-family near-duplicates, and tests every row once', async () => {
    const { recipe, seen } = recording();
    const r = await runFamilyCv({ rows: all, families, recipe, bootstrap: 50 });
    expect(r.folds.map((f) => f.family)).toEqual(['alpha', 'beta', 'gamma']);
    r.folds.forEach((fold, k) => {
      expect(fold.trainFamilies).not.toContain(fold.family);
      expect(fold.residualOverlap).toBe(0);
      const heldOut = new Set(all.filter((_, i) => families[i] === fold.family));
      expect(at(seen, k, 'seen').some((row) => heldOut.has(row))).toBe(false);
    });
    const alphaFold = defined(
      r.folds.find((f) => f.family === 'alpha'),
      "r.folds.find((f) => f.family === 'alpha')",
    );
    expect(alphaFold.droppedNearDuplicates).toBe(1);
    expect(at(seen, 0, 'seen')).not.toContain(planted);
    expect(at(seen, 0, 'seen').length).toBe(beta.length + gamma.length);
    expect(
      defined(
        r.folds.find((f) => f.family === 'gamma'),
        "r.folds.find((f) => f.family === 'gamma')",
      ).droppedNearDuplicates,
    ).toBe(0);
    expect(r.pooled.prompt.n).toBe(all.length);
    expect(r.pooled.refusal.n).toBe(0);
    // Topic words carry the label across families, so held-out families are still learnable.
    expect(r.pooled.prompt.f1).toBeGreaterThan(0.8);
    expect(r.perFamily.filter((s) => s.task === 'prompt').every((s) => s.bothClasses)).toBe(true);
  });
});

describe('assignFamilies', () => {
  const map = parseFamilyMap({
    format: 'magic-guard-families/v1',
    sources: [
      { source: 'a', family: 'fa', reason: 'r' },
      { source: 'b', family: 'fb', reason: 'r' },
      { source: 'mix', byOverlap: ['fa', 'fb'], fallback: 'fb', reason: 'r' },
    ],
  });
  const row = (source: string, text: string): GuardExample => ({ task: 'prompt', text, label: 1, source, group: text });
  const aText = 'one two three four five six seven eight nine ten eleven';
  const bText = 'uno dos tres cuatro cinco seis siete ocho nueve diez once';

  it('puts a mixed source row with the family it duplicates, else the fallback', () => {
    const got = assignFamilies(
      [row('a', aText), row('b', bText), row('mix', aText.toUpperCase()), row('mix', 'something else entirely here')],
      map,
    );
    expect(got).toEqual(['fa', 'fb', 'fa', 'fb']);
  });

  it('rejects an unmapped source and a source listed twice', () => {
    expect(() => assignFamilies([row('c', aText)], map)).toThrow(GuardEvalError);
    expect(() =>
      parseFamilyMap({
        format: 'magic-guard-families/v1',
        sources: [
          { source: 'a', family: 'x', reason: 'r' },
          { source: 'a', family: 'y', reason: 'r' },
        ],
      }),
    ).toThrow(/listed twice/);
  });
});
