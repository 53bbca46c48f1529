import { createHash } from 'node:crypto';

// Same method as @magic/attack-pool's overlap checker (issue 19 §1), so manifests from here feed it unchanged.

/** Eval texts shorter than this (normalised) are too generic to count as leaked. */
export const MIN_EVAL_CHARS = 30;
/** Word n-gram length of the containment test. */
export const NGRAM_WORDS = 8;
/** Share of an eval text's 8-grams that must occur on the training side for a "contained" hit. */
export const CONTAINED_SHARE = 0.9;

/** Lower-case, every run of non-alphanumerics (Unicode letters and digits) collapsed to one space, trimmed. */
export function normaliseText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Word n-grams of an already normalised text, joined by single spaces (none when it has fewer words). */
export function wordNgrams(normalised: string, n = NGRAM_WORDS): string[] {
  if (normalised === '') return [];
  const words = normalised.split(' ');
  const out: string[] = [];
  for (let i = 0; i + n <= words.length; i++) out.push(words.slice(i, i + n).join(' '));
  return out;
}

/** sha256 of the normalised text, first 16 hex digits (64 bits). */
export function overlapHash(normalised: string): string {
  return createHash('sha256').update(normalised).digest('hex').slice(0, 16);
}
