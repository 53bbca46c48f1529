import { FusedOpError } from '../webgpu-program.js';
import { tileShape, validateTileConfig } from './tile-wgsl.js';

// A tensor-core GEMM kernel's configuration: its tile and workgroup shape, the checks that it can be generated and
// its shader key (kernel-wgsl.ts generates the WGSL from it).

export interface TensorCoreKernelConfig {
  transposeA: boolean;
  transposeB: boolean;
  /** Subgroup-matrix shape (an adapter subgroupMatrixConfig with f16 components): M is 16, N 8 or 16, K 8 or 16. */
  mma: { m: 16; n: 8 | 16; k: 8 | 16 };
  accumulate: 'f32' | 'f16-promote';
  /** f16-promote: chunks of f16 accumulation per promotion into f32 (default 1; more: fewer promotions, lower scales). */
  promoteEvery?: number | undefined;
  /** hi + lo f16 parts of each operand, three products (near-fp32 precision); needs f32 accumulation. */
  split: boolean;
  /** Fragments per subgroup (rows x columns of MMA tiles). */
  ti: number;
  tj: number;
  /** Subgroups per workgroup (rows x columns). */
  sgm: number;
  sgn: number;
  /** K depth of one workgroup-memory chunk (a multiple of mma.k). */
  bk: number;
  doubleBuffer: boolean;
  /**
   * The direct kernel (direct-wgsl.ts): operands staged to f16 in global memory by separate programs, fragments
   * loaded straight from there, no workgroup memory for operands (doubleBuffer unused; bk: the K depth of f16
   * accumulation between promotions in 'f16-promote').
   */
  direct?: boolean | undefined;
  /**
   * The tiled kernel (tile-wgsl.ts): the direct kernel's f16 operands copied chunk by chunk into workgroup memory
   * and shared by sgm x sgn subgroups (bk: chunk depth; f16-promote: promotion every promoteEvery chunks).
   */
  tiled?: boolean | undefined;
  bias: boolean;
  emulate: boolean;
}

export const SUBGROUP_SIZE = 32;
/** Padding (elements) of each workgroup-memory row: spreads rows over banks. */
export const PAD = 8;

export const TC_UNIFORMS = [
  'M',
  'N',
  'K',
  'tilesM',
  'tilesN',
  'batch',
  'nChunks',
  'aBatchStride',
  'bBatchStride',
  'sABatch',
  'sBBatch',
  'biasSB',
  'biasSM',
  'biasSN',
] as const;

export interface KernelShape {
  bm: number;
  bn: number;
  threads: number;
  /** Workgroup memory, bytes (f16 staging on the real kernel; f32 on the emulated one). */
  sharedBytes: number;
}

/** Tile sizes, invocations and workgroup memory of a config. */
export function kernelShape(c: TensorCoreKernelConfig): KernelShape {
  const bm = c.sgm * c.ti * c.mma.m;
  const bn = c.sgn * c.tj * c.mma.n;
  const threads = SUBGROUP_SIZE * c.sgm * c.sgn;
  if (c.tiled) {
    const t = tileShape(c);
    return { bm: t.bm, bn: t.bn, threads: t.threads, sharedBytes: t.sharedBytes };
  }
  if (c.direct) {
    // f16-promote: per-subgroup f16 partial sums and an identity (f32 in the emulation)
    const frags = c.sgm * c.sgn * c.ti * c.tj * c.mma.m * c.mma.n;
    const promoted = c.accumulate === 'f16-promote' ? (frags + c.mma.n * c.mma.n) * (c.emulate ? 4 : 2) : 0;
    return { bm, bn, threads, sharedBytes: 4 + promoted };
  }
  const el = c.emulate ? 4 : 2;
  const bufs = c.doubleBuffer ? 2 : 1;
  const parts = c.split ? 2 : 1;
  const aSize = c.transposeA ? c.bk * (bm + PAD) : bm * (c.bk + PAD);
  const bSize = c.transposeB ? bn * (c.bk + PAD) : c.bk * (bn + PAD);
  const frag = c.mma.m * c.mma.n;
  const sgs = c.sgm * c.sgn;
  let bytes = bufs * parts * (aSize + bSize) * el + sgs * frag * 4;
  if (c.accumulate === 'f16-promote') bytes += (sgs * c.ti * c.tj * frag + c.mma.n * c.mma.n) * el;
  return { bm, bn, threads, sharedBytes: bytes + 4 };
}

/** Throws FusedOpError when a config cannot be generated. */
export function validateKernelConfig(c: TensorCoreKernelConfig): void {
  const fail = (msg: string) => {
    throw new FusedOpError('tensorCoreGemm', msg);
  };
  if (c.mma.m !== 16 || ![8, 16].includes(c.mma.n) || ![8, 16].includes(c.mma.k))
    fail('mma must be 16 x {8,16} x {8,16}');
  if (c.bk % c.mma.k !== 0) fail(`bk ${c.bk} must be a multiple of mma.k ${c.mma.k}`);
  if (c.split && c.accumulate !== 'f32') fail('split needs f32 accumulation');
  const every = c.promoteEvery ?? 1;
  if (!(Number.isInteger(every) && every > 0)) fail(`promoteEvery must be a positive integer, got ${every}`);
  if (every > 1 && c.accumulate !== 'f16-promote') fail('promoteEvery needs f16-promote accumulation');
  for (const [k, v] of Object.entries({ ti: c.ti, tj: c.tj, sgm: c.sgm, sgn: c.sgn, bk: c.bk })) {
    if (!(Number.isInteger(v) && v > 0)) fail(`${k} must be a positive integer, got ${v}`);
  }
  if (c.tiled) {
    validateTileConfig(c);
    return;
  }
  const { bm, bn, threads } = kernelShape(c);
  if ((!c.direct && (bm * c.bk) % threads !== 0) || (bn * c.bk) % threads !== 0) {
    fail(`tile ${bm}x${bn}x${c.bk} does not split evenly over ${threads} invocations`);
  }
}

/** Shader key of a config (tfjs caches pipelines by it). */
export function kernelKey(c: TensorCoreKernelConfig): string {
  return [
    'magicTcGemm',
    c.tiled ? 'tiled' : c.direct ? 'direct' : 'staged',
    c.emulate ? 'emu' : 'sgm',
    c.transposeA ? 'tA' : 'nA',
    c.transposeB ? 'tB' : 'nB',
    `m${c.mma.m}n${c.mma.n}k${c.mma.k}`,
    c.accumulate,
    `p${c.promoteEvery ?? 1}`,
    c.split ? 'split' : 'single',
    `f${c.ti}x${c.tj}`,
    `s${c.sgm}x${c.sgn}`,
    `bk${c.bk}`,
    c.doubleBuffer ? 'db' : 'sb',
    c.bias ? 'bias' : 'nobias',
  ].join('_');
}
