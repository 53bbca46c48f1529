import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureFastMatMul, installFastMatMul, setTensorCoreGemm } from '../matmul.js';
import { computeOn, useSoftwareWebGpu } from '../test-helpers.js';
import type { TensorCoreKernelConfig } from './kernel-wgsl.js';
import { type GemmDims, tensorCoreGemmReference } from './reference.js';
import { chooseTensorCoreConfig, configureTensorCoreGemm, runTensorCoreGemm } from './run.js';
import type { KernelVariant } from './variants.js';

/*
 * The tensor-core kernel's emulated variant (same generator, scalar subgroup-matrix ops, f16 rounding in f32) run
 * through the real dispatch path (scale programs, batching, bias, layouts) on the software adapter, against the
 * JS reference with the same rounding: bit-identical results expected.
 * Mesa's llvmpipe stops any shader loop after 65535 iterations (a guard against endless loops: a plain counting
 * loop returns 65535 for n = 1e5), and the emulated matrix ops are loops, so each case keeps the work of one
 * workgroup small (with 16 fragments per subgroup the results went wrong from K ~ 800 on, with 4 they hold at
 * K = 1024); the real kernel has no such loops.
 */
useSoftwareWebGpu({ withCpu: false });
let prevFast: ReturnType<typeof configureFastMatMul>;
beforeAll(() => {
  expect(installFastMatMul()).toBe(true);
  prevFast = configureFastMatMul({ shapes: 'all' });
  setTensorCoreGemm(runTensorCoreGemm);
});
afterAll(() => {
  configureTensorCoreGemm({ precision: 'fp32' });
  configureFastMatMul(prevFast);
});

/** Deterministic values with rows of very different magnitude (exercises the per-row / per-column scales). */
function values(seed: number, count: number, rowLen: number, spread: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const row = Math.floor(i / rowLen);
    out[i] = Math.fround(((s / 2 ** 32) * 2 - 1) * 10 ** (((row * 7) % 5) * spread - spread));
  }
  return out;
}

interface Case {
  name: string;
  variant: KernelVariant;
  precision: 'f16' | 'split-f16';
  dims: GemmDims;
  bias?: 'col' | 'full';
}

/** Variants sized for the emulation (f32 staging: twice the workgroup memory, 32 KiB on the software adapter). */
const v = (
  n: 8 | 16,
  [ti, tj]: [number, number],
  [sgm, sgn]: [number, number],
  bk: number,
  more: Partial<KernelVariant> = {},
): KernelVariant => ({
  mma: { m: 16, n, k: 16 },
  accumulate: 'f32',
  split: false,
  ti,
  tj,
  sgm,
  sgn,
  bk,
  doubleBuffer: true,
  ...more,
});

const CASES: Case[] = [
  {
    name: 'NT, f16 accumulation over two chunks per promotion (K ends mid-pair)',
    variant: v(8, [2, 2], [2, 2], 16, { accumulate: 'f16-promote', promoteEvery: 2 }),
    precision: 'f16',
    dims: { batch: 1, batchA: 1, batchB: 1, m: 50, n: 40, k: 100, transposeA: false, transposeB: true },
  },
  {
    name: 'NN, deep K (64 double-buffered chunks), M and N below one tile',
    variant: v(8, [2, 2], [2, 2], 16),
    precision: 'f16',
    dims: { batch: 1, batchA: 1, batchB: 1, m: 16, n: 16, k: 1024, transposeA: false, transposeB: false },
  },
  {
    name: 'NN, odd shape, one subgroup, 16x8 fragments, large-range rows',
    variant: v(8, [4, 4], [1, 1], 32),
    precision: 'f16',
    dims: { batch: 1, batchA: 1, batchB: 1, m: 70, n: 45, k: 77, transposeA: false, transposeB: false },
  },
  {
    name: 'NT with a column bias, 2x2 subgroups, 16x16 fragments',
    variant: v(16, [2, 2], [2, 2], 16),
    precision: 'f16',
    dims: { batch: 1, batchA: 1, batchB: 1, m: 67, n: 70, k: 40, transposeA: false, transposeB: true },
    bias: 'col',
  },
  {
    name: 'TN batched (both operands), f16 accumulation promoted to f32 per chunk',
    variant: v(8, [2, 2], [2, 2], 16, { accumulate: 'f16-promote' }),
    precision: 'f16',
    dims: { batch: 2, batchA: 2, batchB: 2, m: 40, n: 36, k: 100, transposeA: true, transposeB: false },
  },
  {
    name: 'NN batched A with a shared B and a full bias, split-f16 (three products), single-buffered',
    variant: v(8, [2, 4], [2, 2], 16, { split: true, doubleBuffer: false }),
    precision: 'split-f16',
    dims: { batch: 3, batchA: 3, batchB: 1, m: 33, n: 20, k: 50, transposeA: false, transposeB: false },
    bias: 'full',
  },
  {
    name: 'TT, one A for a batch of B, 16x8x8 matrix ops, 1x2 subgroups',
    variant: { ...v(8, [2, 2], [1, 2], 16), mma: { m: 16, n: 8, k: 8 } },
    precision: 'f16',
    dims: { batch: 2, batchA: 1, batchB: 2, m: 20, n: 140, k: 48, transposeA: true, transposeB: true },
  },
  // the direct kernel (operands staged to f16 in global memory by their own programs, no workgroup memory)
  {
    name: 'direct: NN, odd shape, one subgroup, 16x8 fragments, large-range rows',
    variant: v(8, [4, 4], [1, 1], 16, { direct: true }),
    precision: 'f16',
    dims: { batch: 1, batchA: 1, batchB: 1, m: 70, n: 45, k: 77, transposeA: false, transposeB: false },
  },
  {
    name: 'direct: NT with a column bias, 16x16 fragments',
    variant: v(16, [2, 2], [1, 1], 16, { direct: true }),
    precision: 'f16',
    dims: { batch: 1, batchA: 1, batchB: 1, m: 67, n: 70, k: 40, transposeA: false, transposeB: true },
    bias: 'col',
  },
  {
    name: 'direct: TN batched (both operands), 2x2 subgroups per workgroup',
    variant: v(8, [2, 2], [2, 2], 16, { direct: true }),
    precision: 'f16',
    dims: { batch: 2, batchA: 2, batchB: 2, m: 40, n: 36, k: 100, transposeA: true, transposeB: false },
  },
  {
    name: 'direct: NN batched A with a shared B and a full bias, split-f16 (three products)',
    variant: v(8, [2, 4], [1, 1], 16, { direct: true, split: true }),
    precision: 'split-f16',
    dims: { batch: 3, batchA: 3, batchB: 1, m: 33, n: 20, k: 50, transposeA: false, transposeB: false },
    bias: 'full',
  },
  {
    name: 'direct: TT, one A for a batch of B, 16x8x8 matrix ops, deep K',
    variant: { ...v(8, [2, 2], [1, 1], 16, { direct: true }), mma: { m: 16, n: 8, k: 8 } },
    precision: 'f16',
    dims: { batch: 2, batchA: 1, batchB: 2, m: 20, n: 140, k: 600, transposeA: true, transposeB: true },
  },
  {
    name: 'direct: NT, f16 accumulation promoted to f32 every 32 of K (K ends mid-chunk), 2x2 subgroups',
    variant: v(8, [2, 2], [2, 2], 32, { direct: true, accumulate: 'f16-promote' }),
    precision: 'f16',
    dims: { batch: 1, batchA: 1, batchB: 1, m: 50, n: 40, k: 100, transposeA: false, transposeB: true },
  },
  {
    name: 'direct: TN batched, 16x16 fragments, f16 accumulation promoted every 64 of K',
    variant: v(16, [2, 2], [1, 1], 64, { direct: true, accumulate: 'f16-promote' }),
    precision: 'f16',
    dims: { batch: 2, batchA: 2, batchB: 2, m: 40, n: 36, k: 150, transposeA: true, transposeB: false },
  },
  // the tiled kernel (the direct kernel's f16 operands shared through workgroup memory by several subgroups)
  {
    name: 'tiled: NN, odd shape, 2x2 subgroups, 16x8 fragments, large-range rows, K ends mid-chunk',
    variant: v(8, [2, 2], [2, 2], 32, { tiled: true }),
    precision: 'f16',
    dims: { batch: 1, batchA: 1, batchB: 1, m: 70, n: 45, k: 77, transposeA: false, transposeB: false },
  },
  {
    name: 'tiled: NT with a column bias, 16x16 fragments, 1x2 subgroups, single-buffered',
    variant: v(16, [2, 1], [1, 2], 16, { tiled: true, doubleBuffer: false }),
    precision: 'f16',
    dims: { batch: 1, batchA: 1, batchB: 1, m: 67, n: 70, k: 40, transposeA: false, transposeB: true },
    bias: 'col',
  },
  {
    name: 'tiled: TN batched, f16 accumulation promoted every 2 chunks (K ends mid-pair), 2x2 subgroups',
    variant: v(8, [2, 4], [2, 2], 16, { tiled: true, accumulate: 'f16-promote', promoteEvery: 2 }),
    precision: 'f16',
    dims: { batch: 2, batchA: 2, batchB: 2, m: 40, n: 36, k: 100, transposeA: true, transposeB: false },
  },
  {
    name: 'tiled: NN batched A with a shared B and a full bias, split-f16 (three products)',
    variant: v(8, [2, 2], [2, 1], 16, { tiled: true, split: true }),
    precision: 'split-f16',
    dims: { batch: 3, batchA: 3, batchB: 1, m: 33, n: 20, k: 50, transposeA: false, transposeB: false },
    bias: 'full',
  },
  {
    name: 'tiled: TT, one A for a batch of B, deep K (40 double-buffered chunks)',
    variant: v(8, [2, 2], [1, 2], 16, { tiled: true }),
    precision: 'f16',
    dims: { batch: 2, batchA: 1, batchB: 2, m: 20, n: 40, k: 640, transposeA: true, transposeB: true },
  },
];

describe('emulated tensor-core GEMM on the software adapter = JS reference (same rounding)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const d = c.dims;
      const aShape = [...(d.batchA > 1 ? [d.batchA] : []), ...(d.transposeA ? [d.k, d.m] : [d.m, d.k])];
      const bShape = [...(d.batchB > 1 ? [d.batchB] : []), ...(d.transposeB ? [d.n, d.k] : [d.k, d.n])];
      const aData = values(1, d.batchA * d.m * d.k, d.transposeA ? d.m : d.k, 2);
      const bData = values(2, d.batchB * d.k * d.n, d.transposeB ? d.k : d.n, 1);
      const biasShape = c.bias === 'full' ? [d.batch, d.m, d.n] : [d.n];
      const biasData = c.bias
        ? values(
            3,
            biasShape.reduce((x, y) => x * y, 1),
            d.n,
            0,
          )
        : undefined;
      const prev = configureTensorCoreGemm({ precision: c.precision, variant: c.variant, emulate: true });
      let got: Float32Array;
      try {
        // the case must really run the (emulated) tensor-core kernel, not fall back to the SIMT GEMM
        expect(chooseTensorCoreConfig({ ...d, bias: !!c.bias }, 32768)).toBeDefined();
        [got] = (await computeOn('webgpu', () => {
          const a = tf.tensor(aData, aShape);
          const b = tf.tensor(bData, bShape);
          if (!biasData) return tf.matMul(a, b, d.transposeA, d.transposeB);
          return tf.fused.matMul({
            a,
            b,
            transposeA: d.transposeA,
            transposeB: d.transposeB,
            bias: tf.tensor(biasData, biasShape),
          });
        })) as [Float32Array];
      } finally {
        configureTensorCoreGemm(prev);
      }
      const cfg: Pick<TensorCoreKernelConfig, 'mma' | 'accumulate' | 'split' | 'bk'> = c.variant;
      const strides: [number, number, number] = c.bias === 'full' ? [d.m * d.n, d.n, 1] : [0, 0, 1];
      const want = tensorCoreGemmReference(aData, bData, d, cfg, biasData && { data: biasData, strides });
      expect(got.length).toBe(want.length);
      let mismatches = 0;
      let first = -1;
      for (let i = 0; i < want.length; i++) {
        if (!Object.is(got[i], want[i])) {
          mismatches++;
          if (first < 0) first = i;
        }
      }
      expect(mismatches, `first at ${first}: ${got[first]} vs ${want[first]}`).toBe(0);
    }, 60_000);
  }
});
