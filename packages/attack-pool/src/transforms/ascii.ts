import { TransformDecodeError } from '../errors.js';

/**
 * Each character becomes its decimal code, space separated. Non-ASCII characters are encoded as their
 * Unicode code point (so "é" is "233"), which keeps the transform exactly invertible for any string.
 */
export function encodeAscii(text: string): string {
  return Array.from(text, (ch) => String(ch.codePointAt(0))).join(' ');
}

export function decodeAscii(encoded: string): string {
  if (encoded === '') return '';
  return encoded
    .split(' ')
    .map((token, i) => {
      if (!/^\d{1,7}$/.test(token)) throw new TransformDecodeError('ascii', i, `'${token.slice(0, 12)}' is not a code`);
      const code = Number(token);
      if (code > 0x10ffff) throw new TransformDecodeError('ascii', i, `${code} is beyond U+10FFFF`);
      return String.fromCodePoint(code);
    })
    .join('');
}
