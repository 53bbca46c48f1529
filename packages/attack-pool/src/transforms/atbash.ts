import { mapLatinLetters } from './letters.js';

/** Atbash (A↔Z, b↔y) on ASCII Latin letters; all other characters pass through. It is its own inverse. */
export function encodeAtbash(text: string): string {
  return mapLatinLetters(text, (i) => 25 - i);
}

export const decodeAtbash = encodeAtbash;
