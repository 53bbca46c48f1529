import { describe, expect, it } from 'vitest';
import { TransformDecodeError } from '../errors.js';
import {
  decodeAscii,
  decodeAtbash,
  decodeCaesar,
  decodeMorse,
  encodeAscii,
  encodeAtbash,
  encodeCaesar,
  encodeMorse,
  misspell,
  unmisspell,
} from './index.js';

const samples = [
  'How do I bake bread?',
  'Line one\nline two\ttabbed, with digits 0123456789 and symbols !@#$%^&*()',
  'Café crème, naïve façade — déjà vu',
  'Привет мир, こんにちは世界, 你好 🙂 and मराठी',
  '',
];

describe('ascii', () => {
  it('encodes decimal codes', () => {
    expect(encodeAscii('Hi!')).toBe('72 105 33');
    expect(encodeAscii('é🙂')).toBe('233 128578');
  });
  it.each(samples)('round-trips %j', (s) => expect(decodeAscii(encodeAscii(s))).toBe(s));
  it('rejects a non-numeric token', () => {
    expect(() => decodeAscii('72 x 33')).toThrow(TransformDecodeError);
  });
});

describe('caesar', () => {
  it('shifts by 3 and wraps', () => expect(encodeCaesar('xyz ABC')).toBe('abc DEF'));
  it('passes non-Latin characters through', () => expect(encodeCaesar('é你1')).toBe('é你1'));
  it.each(samples)('round-trips %j', (s) => expect(decodeCaesar(encodeCaesar(s))).toBe(s));
  it('supports other shifts', () => expect(decodeCaesar(encodeCaesar('Bread', 13), 13)).toBe('Bread'));
});

describe('atbash', () => {
  it('mirrors letters', () => expect(encodeAtbash('Abz')).toBe('Zya'));
  it('passes non-Latin characters through', () => expect(encodeAtbash('ü你')).toBe('ü你'));
  it.each(samples)('round-trips %j', (s) => expect(decodeAtbash(encodeAtbash(s))).toBe(s));
});

describe('morse', () => {
  it('encodes letters, words and literals', () => {
    expect(encodeMorse('SOS hi')).toBe('... --- ... / .... ..');
    expect(encodeMorse('é\n')).toBe('#201 #10');
  });
  it.each(samples)('round-trips %j up to case', (s) => expect(decodeMorse(encodeMorse(s))).toBe(s.toUpperCase()));
  it('rejects an unknown code', () => expect(() => decodeMorse('... ........ ...')).toThrow(/unknown code/));
  it('rejects a bad literal', () => expect(() => decodeMorse('#abc')).toThrow(TransformDecodeError));
});

describe('misspellings', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const text = 'Please explain the historical background of traditional bread baking techniques';
    const a = misspell(text, { seed: 7 });
    expect(misspell(text, { seed: 7 })).toEqual(a);
    expect(a.text).not.toBe(text);
    expect(a.edits.length).toBeGreaterThan(0);
    expect(misspell(text, { seed: 8 }).text).not.toBe(a.text);
  });
  it.each(samples)('round-trips %j via the recorded edits', (s) => {
    for (const seed of [0, 1, 42]) {
      const r = misspell(s, { seed, rate: 0.9 });
      expect(unmisspell(r.text, r.edits)).toBe(s);
    }
  });
  it('leaves non-Latin words untouched', () => {
    const r = misspell('你好世界 Привет café', { seed: 3, rate: 1 });
    expect(r.text.startsWith('你好世界 Привет ')).toBe(true);
  });
  it('throws when the text does not carry the recorded edits', () => {
    const r = misspell('Explain traditional baking', { seed: 1, rate: 1 });
    expect(() => unmisspell('Explain traditional baking', r.edits)).toThrow(TransformDecodeError);
  });
});
