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

/** Word n-grams of an already normalised text, each joined by single spaces (none when it has fewer words). */
export function wordNgrams(normalised: string, n = NGRAM_WORDS): string[] {
  if (normalised === '') return [];
  const words = normalised.split(' ');
  const out: string[] = [];
  for (let i = 0; i + n <= words.length; i++) out.push(words.slice(i, i + n).join(' '));
  return out;
}

/**
 * The hash used for texts and n-grams in overlap indexes and manifests: 64 bits (16 hex digits) from two
 * independent 32-bit lanes (cyrb53-style mixing of UTF-16 code units). Not cryptographic: it is fast enough
 * to hash every 8-gram of the repo's data in seconds, and collisions at this size are negligible.
 */
export function overlapHash(normalised: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < normalised.length; i++) {
    const c = normalised.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}
