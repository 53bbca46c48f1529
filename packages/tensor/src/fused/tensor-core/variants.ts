import type { TensorCoreKernelConfig } from './kernel-wgsl.js';

/** Matmul precision modes: what runs for float32 BatchMatMul / _FusedMatMul on WebGPU. */
export const MATMUL_PRECISIONS = ['fp32', 'f16', 'split-f16'] as const;
/**
 * - 'fp32': the SIMT float32 GEMM (the default; bit-identical to the path without this option).
 * - 'f16': tensor cores, operands rounded to f16 (10-bit mantissa, like TF32: PyTorch's `allow_tf32`) after a
 *   per-row / per-column power-of-two scale, f32 accumulation.
 * - 'split-f16': tensor cores, each operand as hi + lo f16 parts, three products (about 21 bits: near fp32).
 */
export type MatmulPrecision = (typeof MATMUL_PRECISIONS)[number];

/** Kernel variants the sweep measures (everything but layout, bias and emulation). */
export type KernelVariant = Pick<
  TensorCoreKernelConfig,
  | 'mma'
  | 'accumulate'
  | 'promoteEvery'
  | 'split'
  | 'ti'
  | 'tj'
  | 'sgm'
  | 'sgn'
  | 'bk'
  | 'doubleBuffer'
  | 'direct'
  | 'tiled'
>;

const f32acc = (
  n: 8 | 16,
  ti: number,
  tj: number,
  sgm: number,
  sgn: number,
  bk: number,
  accumulate: 'f32' | 'f16-promote' = 'f32',
): KernelVariant => ({ mma: { m: 16, n, k: 16 }, accumulate, split: false, ti, tj, sgm, sgn, bk, doubleBuffer: true });

/** A direct-kernel variant (direct-wgsl.ts): fragments straight from f16 operands staged in global memory. */
const direct = (n: 8 | 16, ti: number, tj: number, sgm = 1, sgn = 1, promoteK = 0): KernelVariant => ({
  ...f32acc(n, ti, tj, sgm, sgn, promoteK || 16, promoteK ? 'f16-promote' : 'f32'),
  direct: true,
});

/**
 * A tiled-kernel variant (tile-wgsl.ts): f16 operands staged in global memory, chunks of bk shared by sgm x sgn
 * subgroups through workgroup memory; promoteEvery > 0: f16 accumulation promoted to f32 every that many chunks.
 */
const tiled = (
  n: 8 | 16,
  ti: number,
  tj: number,
  sgm: number,
  sgn: number,
  bk: number,
  promoteEvery = 0,
  db = true,
) => ({
  ...f32acc(n, ti, tj, sgm, sgn, bk, promoteEvery ? 'f16-promote' : 'f32'),
  ...(promoteEvery ? { promoteEvery } : {}),
  doubleBuffer: db,
  tiled: true,
});

/**
 * Named variants for 'f16' (split-f16 uses the same shapes with split on, f32 accumulation). The 16x8x16 shape
 * with 4 x 4 fragments was the best f32-accumulating grid of the naive probe (bench/subgroup-matrix-tiles-probe.mjs);
 * the others add subgroups per workgroup (shared staging pays only if several subgroups reuse a chunk) and the
 * f16-accumulate-then-promote trick.
 */
export const TC_VARIANTS = {
  // the in-shader-converting staged kernel (kernel-wgsl.ts): wrong products on the H200 so far
  'n8-f4x4-s1x1-bk32': f32acc(8, 4, 4, 1, 1, 32),
  'n8-f4x4-s2x2-bk32': f32acc(8, 4, 4, 2, 2, 32),
  'n8-f2x4-s2x2-bk32': f32acc(8, 2, 4, 2, 2, 32),
  'n8-f4x4-s2x4-bk16': f32acc(8, 4, 4, 2, 4, 16),
  'n16-f2x2-s2x2-bk32': f32acc(16, 2, 2, 2, 2, 32),
  'n16-f4x2-s2x2-bk32': f32acc(16, 4, 2, 2, 2, 32),
  'n8-f4x8-s2x2-bk32-promote': f32acc(8, 4, 8, 2, 2, 32, 'f16-promote'),
  'n8-f4x4-s2x2-bk32-promote': f32acc(8, 4, 4, 2, 2, 32, 'f16-promote'),
  'n8-f4x4-s2x2-bk32-promote2': { ...f32acc(8, 4, 4, 2, 2, 32, 'f16-promote'), promoteEvery: 2 },
  // tiled: 128 x 64 / 128 x 128 tiles over 4 / 8 / 16 subgroups, f32 or chunked f16 accumulation
  // 64 x 32 tiles for skinny (decode) shapes; also small enough for the emulation's f32 workgroup memory
  'tile-n8-f2x2-s2x2-bk16': tiled(8, 2, 2, 2, 2, 16),
  'tile-n8-f4x4-s2x2-bk32': tiled(8, 4, 4, 2, 2, 32),
  'tile-n8-f4x4-s2x4-bk32': tiled(8, 4, 4, 2, 4, 32),
  'tile-n8-f2x4-s4x4-bk32': tiled(8, 2, 4, 4, 4, 32),
  'tile-n16-f2x4-s4x2-bk32': tiled(16, 2, 4, 4, 2, 32),
  'tile-n16-f4x2-s2x4-bk32': tiled(16, 4, 2, 2, 4, 32),
  'tile-n8-f4x4-s2x2-bk16': tiled(8, 4, 4, 2, 2, 16),
  'tile-n8-f4x4-s2x4-bk32-p2': tiled(8, 4, 4, 2, 4, 32, 2),
  'tile-n8-f4x8-s2x2-bk32-p2': tiled(8, 4, 8, 2, 2, 32, 2),
  'tile-n8-f4x8-s2x2-bk32-p4': tiled(8, 4, 8, 2, 2, 32, 4),
  'tile-n16-f4x4-s2x2-bk32-p2': tiled(16, 4, 4, 2, 2, 32, 2),
  'tile-n8-f4x4-s2x4-bk32-p2-sb': tiled(8, 4, 4, 2, 4, 32, 2, false),
  'tile-n8-f4x4-s2x4-bk64-sb': tiled(8, 4, 4, 2, 4, 64, 0, false),
  // single-buffered 128 x 128: its split-f16 twin (hi and lo chunks) fits 48 KiB
  'tile-n8-f4x4-s2x4-bk32-sb': tiled(8, 4, 4, 2, 4, 32, 0, false),
  'tile-n8-f4x4-s2x4-bk64-p1-sb': tiled(8, 4, 4, 2, 4, 64, 1, false),
  'direct-n8-f4x4': direct(8, 4, 4),
  'direct-n8-f2x4': direct(8, 2, 4),
  'direct-n8-f4x2': direct(8, 4, 2),
  'direct-n8-f4x8': direct(8, 4, 8),
  'direct-n16-f2x2': direct(16, 2, 2),
  'direct-n16-f4x2': direct(16, 4, 2),
  'direct-n8-f2x2-s2x2': direct(8, 2, 2, 2, 2),
  // f16 accumulation over 32 or 64 of K, promoted into f32 (the naive probe's f16 accumulation: 44-72 TFLOP/s)
  'direct-n8-f4x4-p32': direct(8, 4, 4, 1, 1, 32),
  'direct-n8-f4x8-p32': direct(8, 4, 8, 1, 1, 32),
  'direct-n8-f4x4-p64': direct(8, 4, 4, 1, 1, 64),
  'direct-n16-f2x4-p32': direct(16, 2, 4, 1, 1, 32),
} as const satisfies Record<string, KernelVariant>;
export type TcVariantName = keyof typeof TC_VARIANTS;
export const TC_VARIANT_NAMES = Object.keys(TC_VARIANTS) as TcVariantName[];
/**
 * What a GPU sweep measures by default (one call of about 5 minutes): every tiled variant, the direct variants the
 * 2026-12-02 run ranked fastest (the committed table selects them), and two of the staged kernels that gave wrong
 * products in every GPU run so far (does the conversion probe explain them?).
 */
export const TC_SWEEP_VARIANTS: TcVariantName[] = TC_VARIANT_NAMES.filter(
  (v) =>
    v.startsWith('tile-') ||
    (
      [
        'n8-f4x4-s1x1-bk32',
        'n16-f2x2-s2x2-bk32',
        'direct-n16-f2x2',
        'direct-n8-f2x4',
        'direct-n8-f4x4-p32',
        'direct-n8-f4x4-p64',
        'direct-n8-f2x2-s2x2',
      ] as string[]
    ).includes(v),
);

/** The variant as run in `precision` (split-f16 forces split with f32 accumulation). */
export function variantFor(name: TcVariantName, precision: Exclude<MatmulPrecision, 'fp32'>): KernelVariant {
  const v = TC_VARIANTS[name];
  return precision === 'split-f16' ? { ...v, split: true, accumulate: 'f32', promoteEvery: 1 } : { ...v };
}
