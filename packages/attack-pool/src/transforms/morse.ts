import { TransformDecodeError } from '../errors.js';

const table: Record<string, string> = {
  A: '.-',
  B: '-...',
  C: '-.-.',
  D: '-..',
  E: '.',
  F: '..-.',
  G: '--.',
  H: '....',
  I: '..',
  J: '.---',
  K: '-.-',
  L: '.-..',
  M: '--',
  N: '-.',
  O: '---',
  P: '.--.',
  Q: '--.-',
  R: '.-.',
  S: '...',
  T: '-',
  U: '..-',
  V: '...-',
  W: '.--',
  X: '-..-',
  Y: '-.--',
  Z: '--..',
  '0': '-----',
  '1': '.----',
  '2': '..---',
  '3': '...--',
  '4': '....-',
  '5': '.....',
  '6': '-....',
  '7': '--...',
  '8': '---..',
  '9': '----.',
  '.': '.-.-.-',
  ',': '--..--',
  '?': '..--..',
  "'": '.----.',
  '!': '-.-.--',
  '/': '-..-.',
  '(': '-.--.',
  ')': '-.--.-',
  '&': '.-...',
  ':': '---...',
  ';': '-.-.-.',
  '=': '-...-',
  '+': '.-.-.',
  '-': '-....-',
  _: '..--.-',
  '"': '.-..-.',
  $: '...-..-',
  '@': '.--.-.',
};
const reverse = new Map(Object.entries(table).map(([k, v]) => [v, k]));

/**
 * International Morse code. Letters are case-folded to upper case (Morse has no case, so decoding
 * yields upper case). Tokens are separated by one space; a space character is the token "/";
 * any character without a Morse code (other whitespace, non-Latin scripts, emoji) is the token
 * "#<decimal code point>", so decode(encode(s)) === s.toUpperCase() for every string.
 */
export function encodeMorse(text: string): string {
  return Array.from(text.toUpperCase(), (ch) => {
    if (ch === ' ') return '/';
    return table[ch] ?? `#${ch.codePointAt(0)}`;
  }).join(' ');
}

export function decodeMorse(encoded: string): string {
  if (encoded === '') return '';
  return encoded
    .split(' ')
    .map((token, i) => {
      if (token === '/') return ' ';
      if (token.startsWith('#')) {
        const code = Number(token.slice(1));
        if (!/^#\d{1,7}$/.test(token) || code > 0x10ffff) {
          throw new TransformDecodeError('morse', i, `bad literal '${token.slice(0, 12)}'`);
        }
        return String.fromCodePoint(code);
      }
      const ch = reverse.get(token);
      if (ch === undefined) throw new TransformDecodeError('morse', i, `unknown code '${token.slice(0, 12)}'`);
      return ch;
    })
    .join('');
}
