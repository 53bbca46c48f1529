/** GPT-2's byte -> printable character table (the alphabet of byte-level BPE vocabularies, Qwen's included). */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const table: string[] = new Array(256);
  for (const b of bs) table[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (table[b] === undefined) table[b] = String.fromCodePoint(256 + n++);
  return table;
}

/**
 * Qwen2's pre-tokenizer regex, in JavaScript syntax: the `(?i:'s|…)` group is spelled out with character classes
 * because JavaScript has no inline flags. The tokenizer.json keeps Qwen's original spelling.
 */
export const QWEN2_PRETOKENIZE_JS =
  /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

export const QWEN2_PRETOKENIZE_HF =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** Pre-tokens of a text (after NFC, as the tokenizer's normalizer does). */
export function pretokenize(text: string): string[] {
  return text.normalize('NFC').match(QWEN2_PRETOKENIZE_JS) ?? [];
}
