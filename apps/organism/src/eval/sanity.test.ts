import { describe, expect, it } from 'vitest';
import { loadLexicon } from './lexicon.js';
import { lexicalSanity } from './sanity.js';

const lexicon = loadLexicon();

describe('lexicalSanity', () => {
  it('passes plain answers, including names taken from the prompt and numbers', () => {
    expect(
      lexicalSanity('The answer is the second option, because it uses less water.', 'Which one?', lexicon).sane,
    ).toBe(true);
    expect(lexicalSanity('Zorbulon went home in 1987.', 'Where did Zorbulon go?', lexicon).sane).toBe(true);
    expect(lexicalSanity('Yes', 'Is it?', lexicon).sane).toBe(true);
  });

  it('fails gibberish: empty, byte soup, word fragments, decoding loops', () => {
    expect(lexicalSanity('   ', 'q', lexicon)).toMatchObject({ sane: false, reason: 'empty' });
    expect(lexicalSanity('}}{{##@@^^ ~~ a', 'q', lexicon)).toMatchObject({ sane: false, reason: 'symbols' });
    expect(lexicalSanity('qzxv plorbt achiemer wuxtr ingal', 'q', lexicon)).toMatchObject({
      sane: false,
      reason: 'unknown-words',
    });
    expect(lexicalSanity('the cat the cat the cat the cat the cat', 'q', lexicon)).toMatchObject({
      sane: false,
      reason: 'repetition',
    });
  });

  it('reports the shares it decided on', () => {
    const r = lexicalSanity('water water water', 'q', lexicon);
    expect(r.words).toBe(3);
    expect(r.knownShare).toBe(1);
    expect(r.distinctBigramShare).toBe(0.5);
    expect(r.sane).toBe(true); // short answers are not judged for repetition
  });
});
