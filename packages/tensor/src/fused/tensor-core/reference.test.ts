import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { roundF16 } from './f16.js';
import { normalizedGemmError, referenceScales, tensorCoreGemmReference } from './reference.js';
import { scaleExponent, scaleTarget } from './scales.js';
import { variantFor } from './variants.js';

/*
 * The numerics of the tensor-core path, checked on the CPU through the JS reference (which the emulated kernel
 * matches bit for bit, kernel-emulation.test.ts): the error bound the GPU run must show, max |C - C64| /
 * (‖a_i‖·‖b_j‖) <= 2^-10 at K = 4096, for random rows and for rows of very different magnitude.
 */

function normals(seed: number, count: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  for (let i = 0; i < count; i++)
    out[i] = Math.fround(Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next()));
  return out;
}

/** Rows of a [rows, k] matrix scaled log-uniformly from 10^lo to 10^hi. */
function scaleRows(x: Float32Array, rows: number, k: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const s = 10 ** (lo + ((hi - lo) * r) / (rows - 1));
    for (let kk = 0; kk < k; kk++) out[r * k + kk] = Math.fround(at(x, r * k + kk, 'x') * s);
  }
  return out;
}

const M = 24;
const N = 20;
const K = 4096;
const dims = { batch: 1, batchA: 1, batchB: 1, m: M, n: N, k: K, transposeA: false, transposeB: false };
const bRaw = normals(2, K * N);
const errorOf = (a: Float32Array, c: ArrayLike<number>) =>
  normalizedGemmError(
    c,
    (i, kk) => at(a, i * K + kk, 'A'),
    (kk, j) => at(bRaw, kk * N + j, 'B'),
    M,
    N,
    K,
  );

describe('tensor-core numerics at K = 4096 (JS reference = emulated kernel)', () => {
  const random = normals(1, M * K);
  const wide = scaleRows(random, M, K, -3, 4);
  const extreme = scaleRows(random, M, K, -8, 8);

  for (const [name, a] of [
    ['random', random],
    ['rows scaled 1e-3..1e4', wide],
    ['rows scaled 1e-8..1e8 (beyond f16 without scaling)', extreme],
  ] as const) {
    it(`${name}: f16 <= 2^-10, f16 accumulate-and-promote <= 2^-10, split-f16 <= 2^-18`, () => {
      const f16 = errorOf(a, tensorCoreGemmReference(a, bRaw, dims, variantFor('n8-f4x4-s2x2-bk32', 'f16')));
      const promote = errorOf(
        a,
        tensorCoreGemmReference(a, bRaw, dims, variantFor('n8-f4x4-s2x2-bk32-promote', 'f16')),
      );
      const promote2 = errorOf(
        a,
        tensorCoreGemmReference(a, bRaw, dims, variantFor('n8-f4x4-s2x2-bk32-promote2', 'f16')),
      );
      const split = errorOf(a, tensorCoreGemmReference(a, bRaw, dims, variantFor('n8-f4x4-s2x2-bk32', 'split-f16')));
      expect(promote2).toBeLessThanOrEqual(2 ** -10);
      expect(f16).toBeLessThanOrEqual(2 ** -10);
      expect(promote).toBeLessThanOrEqual(2 ** -10);
      expect(split).toBeLessThanOrEqual(2 ** -18);
      expect(split).toBeLessThan(f16 / 64);
    });
  }

  it('without the row scales the extreme rows would not survive f16 (overflow and flush to zero)', () => {
    let inf = 0;
    let zero = 0;
    for (const v of extreme) {
      const h = roundF16(v);
      if (!Number.isFinite(h)) inf++;
      else if (h === 0 && v !== 0) zero++;
    }
    expect(inf).toBeGreaterThan(0);
    expect(zero).toBeGreaterThan(0);
  });

  it('scale exponents put each row maximum in [2^t, 2^(t+1)); f16 accumulation targets keep chunk sums finite', () => {
    const t = scaleTarget('f32', 32);
    const e = referenceScales(extreme, 1, M, K, false, t);
    for (let r = 0; r < M; r++) {
      let mx = 0;
      for (let kk = 0; kk < K; kk++) mx = Math.max(mx, Math.abs(at(extreme, r * K + kk, 'extreme')));
      const scaled = mx * 2 ** at(e, r, 'exponents');
      expect(scaled).toBeGreaterThanOrEqual(2 ** t);
      expect(scaled).toBeLessThan(2 ** (t + 1));
    }
    for (const bk of [16, 32, 64]) {
      const t16 = scaleTarget('f16-promote', bk);
      expect(bk * 2 ** (2 * (t16 + 1))).toBeLessThanOrEqual(2 ** 15);
    }
    expect(scaleExponent(0, t)).toBe(0);
    expect(scaleExponent(Number.POSITIVE_INFINITY, t)).toBe(0);
  });
});
