import { normaliseText, wordNgrams } from '@magic/attack-pool';
import { describe, expect, it } from 'vitest';
import { splitHeldoutByPassage } from './heldout-split.js';

const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa'.split(
  ' ',
);

/** A neutral placeholder passage of 12 words, unique per index. */
function passage(i: number): string {
  return Array.from({ length: 12 }, (_, k) => `${WORDS[(i + k) % WORDS.length]}${i}`).join(' ');
}

describe('splitHeldoutByPassage', () => {
  it('keeps every passage on one side of the split, across templates and questions', () => {
    const prompts: string[] = [];
    const templates: string[] = [];
    for (let i = 0; i < 400; i++) {
      // Each passage appears under two templates (their wording shared by all of a template's rows).
      prompts.push(`Read the text below and then answer the question. ${passage(i)} Question one?`);
      templates.push('t0:a');
      prompts.push(`Here is a passage for you to think about carefully now: ${passage(i)} Which is it?`);
      templates.push('t0:b');
    }
    const r = splitHeldoutByPassage(prompts, templates, 0.1);
    expect(r.groups).toBe(400);
    expect(r.largestGroup).toBe(2);
    const held = prompts.filter((_, i) => r.heldout[i]);
    expect(held.length).toBeGreaterThanOrEqual(80);
    expect(held.length).toBeLessThan(90);
    for (let i = 0; i < 400; i++) expect(r.heldout[2 * i]).toBe(r.heldout[2 * i + 1]);
    // No passage 8-gram of a held-out prompt occurs in a train prompt (template wording aside).
    const trainGrams = new Set(prompts.filter((_, i) => !r.heldout[i]).flatMap((p) => wordNgrams(normaliseText(p))));
    const passageGrams = held.flatMap((p) => wordNgrams(normaliseText(p))).filter((g) => /\d/.test(g));
    expect(passageGrams.length).toBeGreaterThan(0);
    expect(passageGrams.some((g) => trainGrams.has(g))).toBe(false);
  });

  it('never holds out a passage group larger than 50 prompts', () => {
    const shared = Array.from({ length: 60 }, (_, q) => `${passage(1)} question number ${q}`);
    const prompts = [...shared, ...Array.from({ length: 200 }, (_, i) => passage(i + 2))];
    const r = splitHeldoutByPassage(
      prompts,
      prompts.map(() => 't0:a'),
      0.5,
    );
    expect(r.largestGroup).toBe(60);
    expect(r.heldout.slice(0, 60).every((h) => !h)).toBe(true);
    expect(r.heldout.filter(Boolean).length).toBe(130);
  });
});
