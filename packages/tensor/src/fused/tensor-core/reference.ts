import { at } from '@magic/core';
import { pow2, roundF16 } from './f16.js';
import type { TensorCoreKernelConfig } from './kernel-wgsl.js';
import { scaleExponent, scaleTarget } from './scales.js';

/*
 * JS reference of the tensor-core GEMM with the emulated kernel's rounding, operation for operation: row / column
 * power-of-two scales, f16 staging (hi and lo parts in split mode), one f32 dot product per MMA_K-deep matrix op
 * added into an f32 accumulator (or into an f16 one, rounded, promoted to f32 every promoteEvery BK chunks), unscale,
 * bias.
 * Products of two f16 values are exact in f32, so the emulated kernel and this reference agree bit for bit when
 * the GPU adds in the same order (the tests check that).
 */

export interface GemmDims {
  batch: number;
  /** 1 (broadcast) or batch. */
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
}

export interface ReferenceBias {
  data: ArrayLike<number>;
  /** Strides over (batch, M, N), 0 where broadcast. */
  strides: [number, number, number];
}

type Numerics = Pick<TensorCoreKernelConfig, 'mma' | 'accumulate' | 'split' | 'bk' | 'promoteEvery'>;

const fr = Math.fround;

/** Exponents per (batch, row of op(A)) or (batch, column of op(B)): the scale programs' output. */
export function referenceScales(
  x: ArrayLike<number>,
  batches: number,
  outer: number,
  k: number,
  outerContiguous: boolean,
  target: number,
): Float32Array {
  const e = new Float32Array(batches * outer);
  for (let b = 0; b < batches; b++) {
    for (let o = 0; o < outer; o++) {
      let mx = 0;
      for (let kk = 0; kk < k; kk++) {
        const v = at(x, b * outer * k + (outerContiguous ? kk * outer + o : o * k + kk), 'operand');
        mx = Math.max(mx, Math.abs(v));
      }
      e[b * outer + o] = scaleExponent(mx, target);
    }
  }
  return e;
}

/** C = op(A) · op(B) (+ bias) as the (emulated) tensor-core kernel computes it; [batch, M, N]. */
export function tensorCoreGemmReference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  d: GemmDims,
  cfg: Numerics,
  bias?: ReferenceBias,
): Float32Array {
  const { m, n, k, batch } = d;
  const target = scaleTarget(cfg.accumulate, cfg.bk * (cfg.promoteEvery ?? 1));
  const promoteK = cfg.bk * (cfg.promoteEvery ?? 1);
  const eA = referenceScales(a, d.batchA, m, k, d.transposeA, target);
  const eB = referenceScales(b, d.batchB, n, k, !d.transposeB, target);
  // staged operands as [batch][row][k] (A) and [batch][col][k] (B): hi and lo parts
  const stage = (x: ArrayLike<number>, e: Float32Array, batches: number, outer: number, contiguous: boolean) => {
    const hi = new Float32Array(batches * outer * k);
    const lo = new Float32Array(cfg.split ? batches * outer * k : 0);
    for (let bt = 0; bt < batches; bt++) {
      for (let o = 0; o < outer; o++) {
        const s = pow2(at(e, bt * outer + o, 'scale exponents'));
        for (let kk = 0; kk < k; kk++) {
          const v = fr(at(x, bt * outer * k + (contiguous ? kk * outer + o : o * k + kk), 'operand') * s);
          const h = roundF16(v);
          const idx = (bt * outer + o) * k + kk;
          hi[idx] = h;
          if (cfg.split) lo[idx] = roundF16(fr(v - h));
        }
      }
    }
    return { hi, lo };
  };
  const A = stage(a, eA, d.batchA, m, d.transposeA);
  const B = stage(b, eB, d.batchB, n, !d.transposeB);
  const products: [Float32Array, Float32Array][] = cfg.split
    ? [
        [A.hi, B.hi],
        [A.hi, B.lo],
        [A.lo, B.hi],
      ]
    : [[A.hi, B.hi]];
  const mk = cfg.mma.k;
  const promote = cfg.accumulate === 'f16-promote';
  const out = new Float32Array(batch * m * n);
  for (let bt = 0; bt < batch; bt++) {
    const ba = d.batchA === 1 ? 0 : bt;
    const bb = d.batchB === 1 ? 0 : bt;
    for (let i = 0; i < m; i++) {
      const ra = (ba * m + i) * k;
      for (let j = 0; j < n; j++) {
        const rb = (bb * n + j) * k;
        let acc = 0;
        let acc16 = 0;
        for (let k0 = 0; k0 < k; k0 += mk) {
          for (const [x, y] of products) {
            let s = 0;
            for (let kk = k0; kk < Math.min(k, k0 + mk); kk++) {
              s = fr(s + at(x, ra + kk, 'staged A') * at(y, rb + kk, 'staged B'));
            }
            if (promote) acc16 = roundF16(fr(acc16 + s));
            else acc = fr(acc + s);
          }
          // end of promoteEvery BK chunks (or of K): the f16 partial sums join the f32 accumulator
          if (promote && ((k0 + mk) % promoteK === 0 || k0 + mk >= k)) {
            acc = fr(acc + acc16);
            acc16 = 0;
          }
        }
        let v = fr(fr(acc * pow2(-at(eA, ba * m + i, 'eA'))) * pow2(-at(eB, bb * n + j, 'eB')));
        if (bias) v = fr(v + at(bias.data, bt * bias.strides[0] + i * bias.strides[1] + j * bias.strides[2], 'bias'));
        out[(bt * m + i) * n + j] = v;
      }
    }
  }
  return out;
}

export interface Reference64 {
  m: number;
  n: number;
  /** float64 product [M, N]. */
  c: Float64Array;
  /** ‖a_i‖ and ‖b_j‖. */
  aNorm: Float64Array;
  bNorm: Float64Array;
}

/** float64 product and row / column norms of op(A) [M, K] and op(B) [K, N] given by accessors. */
export function gemmReference64(
  a: (i: number, kk: number) => number,
  b: (kk: number, j: number) => number,
  m: number,
  n: number,
  k: number,
): Reference64 {
  const aNorm = new Float64Array(m);
  const bNorm = new Float64Array(n);
  const c = new Float64Array(m * n);
  const row = new Float64Array(k);
  const col = new Float64Array(k);
  for (let j = 0; j < n; j++) {
    for (let kk = 0; kk < k; kk++) col[kk] = b(kk, j);
    let s = 0;
    for (const x of col) s += x ** 2;
    bNorm[j] = Math.sqrt(s);
  }
  for (let i = 0; i < m; i++) {
    for (let kk = 0; kk < k; kk++) row[kk] = a(i, kk);
    let s = 0;
    for (const x of row) s += x ** 2;
    aNorm[i] = Math.sqrt(s);
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let kk = 0; kk < k; kk++) dot += at(row, kk, 'row') * b(kk, j);
      c[i * n + j] = dot;
    }
  }
  return { m, n, c, aNorm, bNorm };
}

/** max over (i, j) of |C[i][j] - C64[i][j]| / (‖a_i‖ · ‖b_j‖) (pairs with a zero norm are skipped). */
export function normalizedErrorAgainst(c: ArrayLike<number>, ref: Reference64): number {
  let worst = 0;
  for (let i = 0; i < ref.m; i++) {
    for (let j = 0; j < ref.n; j++) {
      const denom = at(ref.aNorm, i, '‖a_i‖') * at(ref.bNorm, j, '‖b_j‖');
      const d = Math.abs(at(c, i * ref.n + j, 'C') - at(ref.c, i * ref.n + j, 'C64'));
      if (denom > 0) worst = Math.max(worst, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d / denom);
    }
  }
  return worst;
}

/**
 * The tensor-core path's error metric: max over (i, j) of |C[i][j] - C64[i][j]| / (‖a_i‖ · ‖b_j‖), with C64 the
 * float64 product (single batch, op(A) as [M, K] rows and op(B) as [K, N] columns given by accessors).
 */
export function normalizedGemmError(
  c: ArrayLike<number>,
  a: (i: number, kk: number) => number,
  b: (kk: number, j: number) => number,
  m: number,
  n: number,
  k: number,
): number {
  return normalizedErrorAgainst(c, gemmReference64(a, b, m, n, k));
}
