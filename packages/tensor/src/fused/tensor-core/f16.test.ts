import { describe, expect, it } from 'vitest';
import { pow2, roundF16 } from './f16.js';

/** The value of an f16 bit pattern (sign, 5-bit exponent, 10-bit mantissa). */
function f16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const man = bits & 0x3ff;
  if (exp === 0x1f) return man ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  if (exp === 0) return sign * man * 2 ** -24;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

describe('roundF16 (round to nearest even binary16, in f32 arithmetic)', () => {
  it('keeps every finite f16 value and rounds each midpoint between neighbours to the even one', () => {
    const bad: string[] = [];
    const check = (x: number, want: number) => {
      if (!Object.is(roundF16(x), want) && bad.length < 5) bad.push(`${x} -> ${roundF16(x)}, want ${want}`);
    };
    for (let bits = 0; bits < 0x7c00; bits++) {
      const v = f16Value(bits);
      check(v, v);
      check(-v, -v);
      if (bits + 1 < 0x7c00) {
        const next = f16Value(bits + 1);
        const mid = (v + next) / 2; // exact in f32: both have <= 11 significant bits
        check(mid, bits % 2 === 0 ? v : next);
        // just off the midpoint goes to the nearer neighbour
        check(Math.fround(mid + (next - v) / 8), next);
        check(Math.fround(mid - (next - v) / 8), v);
      }
    }
    expect(bad).toEqual([]);
  });

  it('overflows to Infinity from 65520 (the midpoint above 65504), flushes below 2^-25 to zero, passes NaN', () => {
    expect(roundF16(65519.99)).toBe(65504);
    expect(roundF16(65520)).toBe(Number.POSITIVE_INFINITY);
    expect(roundF16(-1e6)).toBe(Number.NEGATIVE_INFINITY);
    expect(roundF16(2 ** -25)).toBe(0);
    expect(roundF16(Math.fround(2 ** -25 * 1.01))).toBe(2 ** -24);
    expect(roundF16(Number.NaN)).toBeNaN();
  });

  it('pow2 is exact and clamped to the normal f32 exponents', () => {
    expect(pow2(0)).toBe(1);
    expect(pow2(-14)).toBe(2 ** -14);
    expect(pow2(300)).toBe(2 ** 127);
    expect(pow2(-300)).toBe(2 ** -126);
  });
});
