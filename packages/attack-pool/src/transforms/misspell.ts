import { mulberry32 } from '@magic/core';
import { TransformDecodeError } from '../errors.js';

/** One recorded substitution: the `wordIndex`-th ASCII-letter word was changed from `original` to `misspelled`. */
export interface MisspellEdit {
  wordIndex: number;
  original: string;
  misspelled: string;
}

export interface MisspellResult {
  text: string;
  edits: MisspellEdit[];
}

export interface MisspellOptions {
  seed?: number;
  /** Probability that an eligible word (>= minLength letters) is changed. */
  rate?: number;
  minLength?: number;
}

const WORD = /[A-Za-z]+/g;

// mulberry32 (from @magic/core): the same seed gives the same typos on every platform.
export { mulberry32 };

function mutateWord(word: string, rand: () => number): string {
  const op = Math.floor(rand() * 3);
  const i = 1 + Math.floor(rand() * (word.length - 2)); // interior position, never the first letter
  if (op === 0 && i < word.length - 1) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  if (op === 1) return word.slice(0, i) + word[i] + word.slice(i);
  const vowel = word.slice(1).search(/[aeiou]/);
  if (vowel >= 0) return word.slice(0, vowel + 1) + word.slice(vowel + 2);
  return word.slice(0, i) + word[i] + word.slice(i);
}

/**
 * Seeded typos in ASCII-letter words. Only runs of [A-Za-z] are touched (accented and non-Latin letters,
 * digits and punctuation pass through unchanged), and every edit only changes letters inside a word, so
 * the word boundaries are stable and `unmisspell(result.text, result.edits)` restores the input exactly.
 */
export function misspell(text: string, options: MisspellOptions = {}): MisspellResult {
  const rand = mulberry32(options.seed ?? 0);
  const rate = options.rate ?? 0.5;
  const minLength = Math.max(3, options.minLength ?? 4);
  const edits: MisspellEdit[] = [];
  let wordIndex = -1;
  const out = text.replace(WORD, (word) => {
    wordIndex += 1;
    if (word.length < minLength || rand() >= rate) return word;
    const misspelled = mutateWord(word, rand);
    if (misspelled === word) return word;
    edits.push({ wordIndex, original: word, misspelled });
    return misspelled;
  });
  return { text: out, edits };
}

/** Inverse of `misspell` given its recorded edits; throws if the text does not carry the recorded typos. */
export function unmisspell(text: string, edits: readonly MisspellEdit[]): string {
  const byIndex = new Map(edits.map((e) => [e.wordIndex, e]));
  let wordIndex = -1;
  return text.replace(WORD, (word) => {
    wordIndex += 1;
    const edit = byIndex.get(wordIndex);
    if (!edit) return word;
    if (edit.misspelled !== word) {
      throw new TransformDecodeError('misspellings', wordIndex, `expected '${edit.misspelled}', found '${word}'`);
    }
    return edit.original;
  });
}
