import { describe, expect, it } from 'vitest';
import { isRefusal, matchRefusal } from './refusal-rules.js';
import { RulesGuard } from './rules-guard.js';

describe('refusal rules', () => {
  it('matches refusal phrases case-insensitively, including typographic apostrophes', () => {
    expect(isRefusal("I'm sorry, but I can't help with that.")).toBe(true);
    expect(isRefusal('I\u2019m unable to assist with this request.')).toBe(true);
    expect(isRefusal('Sure! Mix flour, water, salt and yeast.')).toBe(false);
    expect(isRefusal('   ')).toBe(true);
  });

  it('prefix mode ignores phrases far into the text; anywhere mode does not', () => {
    const late = `${'Here is the recipe. '.repeat(20)}I cannot stress enough how good it is.`;
    expect(isRefusal(late)).toBe(false);
    expect(isRefusal(late, { match: 'anywhere' })).toBe(true);
  });

  it('accepts a custom keyword list', () => {
    expect(matchRefusal('Nope.', { keywords: ['nope'] })).toBe('nope');
    expect(isRefusal("I'm sorry", { keywords: ['nope'] })).toBe(false);
  });

  it('RulesGuard answers refusal and safety from phrases', async () => {
    const guard = new RulesGuard();
    expect(await guard.moderateResponse('p', "I'm sorry, I can't do that.")).toMatchObject({
      safety: 'safe',
      refusal: 'yes',
    });
    expect(await guard.moderateResponse('p', 'Sure, here it is.')).toMatchObject({ safety: 'unsafe', refusal: 'no' });
  });
});
