import { rougeTokens } from './rouge.js';

/**
 * Thresholds of the lexical sanity check: what separates an answer from gibberish without a reference.
 * - `minKnownShare`: share of the answer's words that are corpus words (lexicon), numbers, or words of the prompt;
 * - `minDistinctBigramShare`: distinct word bigrams / bigrams, for answers of at least `repetitionMinWords` words
 *   (a decoding loop repeats the same few bigrams);
 * - `minTextCharShare`: share of non-space characters that are letters, digits or common punctuation (byte soup fails).
 */
export const SANITY_RULES = {
  minKnownShare: 0.9,
  minDistinctBigramShare: 0.5,
  repetitionMinWords: 6,
  minTextCharShare: 0.8,
} as const;

export interface SanityResult {
  sane: boolean;
  /** Why not, when not sane: 'empty' | 'unknown-words' | 'repetition' | 'symbols'. */
  reason?: 'empty' | 'unknown-words' | 'repetition' | 'symbols';
  words: number;
  knownShare: number;
  distinctBigramShare: number;
  textCharShare: number;
}

const TEXT_CHAR = /[\p{L}\p{N}.,;:!?'"()\-–—/%&$]/u;

/**
 * Reference-free check that an answer is language, not noise: it has words, most of them are real (corpus
 * lexicon, numbers or taken from the prompt), it does not loop, and it is not mostly symbols. Word salad of real
 * words passes it; held-out ROUGE-L against references is the measure that catches that.
 */
export function lexicalSanity(answer: string, prompt: string, lexicon: ReadonlySet<string>): SanityResult {
  const words = rougeTokens(answer);
  const chars = [...answer.replace(/\s+/g, '')];
  const textCharShare = chars.length === 0 ? 0 : chars.filter((c) => TEXT_CHAR.test(c)).length / chars.length;
  const promptWords = new Set(rougeTokens(prompt));
  const known = words.filter((w) => /^[0-9]+$/.test(w) || lexicon.has(w) || promptWords.has(w)).length;
  const knownShare = words.length === 0 ? 0 : known / words.length;
  const bigrams = words.slice(1).map((w, i) => `${words[i]} ${w}`);
  const distinctBigramShare = bigrams.length === 0 ? 1 : new Set(bigrams).size / bigrams.length;
  const base = { words: words.length, knownShare, distinctBigramShare, textCharShare };
  if (words.length === 0) return { sane: false, reason: 'empty', ...base };
  if (textCharShare < SANITY_RULES.minTextCharShare) return { sane: false, reason: 'symbols', ...base };
  if (knownShare < SANITY_RULES.minKnownShare) return { sane: false, reason: 'unknown-words', ...base };
  if (words.length >= SANITY_RULES.repetitionMinWords && distinctBigramShare < SANITY_RULES.minDistinctBigramShare)
    return { sane: false, reason: 'repetition', ...base };
  return { sane: true, ...base };
}
