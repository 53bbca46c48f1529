import { mapLatinLetters } from './letters.js';

const mod26 = (n: number) => ((n % 26) + 26) % 26;

/** Caesar cipher on ASCII Latin letters (default shift 3, as in SORRY-Bench); all other characters pass through. */
export function encodeCaesar(text: string, shift = 3): string {
  return mapLatinLetters(text, (i) => mod26(i + shift));
}

export function decodeCaesar(encoded: string, shift = 3): string {
  return mapLatinLetters(encoded, (i) => mod26(i - shift));
}
