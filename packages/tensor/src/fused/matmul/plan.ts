import { capturingDispatchGraph } from '../../backend/dispatch-graph.js';
import { FusedOpError } from '../webgpu-program.js';

// The tiled GEMM's plan: tile shape, chunk depth and K split per problem, and which problems it takes.

/** Default K depth of one shared-memory chunk. */
const DEFAULT_BK = 16;
export const GEMM_BKS = [8, 16] as const;
export type GemmBk = (typeof GEMM_BKS)[number];
/** Workgroups below which K is split (about two waves of a 132-SM GPU). */
const SPLIT_TARGET = 256;
/** Smallest K range per split. */
const MIN_SPLIT_K = 128;
/** K from which a problem with too few tiles keeps its largest tile and splits K (instead of 64x64 tiles). */
const SPLIT_LARGE_TILE_K = 8192;

export interface TileConfig {
  wx: number;
  wy: number;
  rm: number;
  rn: number;
}

/** Rows (BM) and columns (BN) of C one workgroup computes. */
export const bm = (c: TileConfig): number => 4 * c.wy * c.rm;
export const bn = (c: TileConfig): number => 4 * c.wx * c.rn;

export const GEMM_TILES = [
  't128x128',
  't128x64',
  't64x128',
  't64x64',
  't16x128',
  't128x128w128',
  't128x256',
  't256x128',
] as const;
export type GemmTile = (typeof GEMM_TILES)[number];

/**
 * Tile shapes: the first five use 256 invocations with 8x8 outputs or fewer each; `t128x128w128` has 128
 * invocations of 8x16 outputs, `t128x256` / `t256x128` 256 of 8x16 / 16x8 (more FMAs per shared-memory read,
 * more registers; the 256-wide ones need 48 KiB of workgroup memory at bk 16, 24 KiB at bk 8).
 */
export const GEMM_TILE_CONFIGS: Readonly<Record<GemmTile, Readonly<TileConfig>>> = {
  t128x128: { wx: 16, wy: 16, rm: 2, rn: 2 },
  t128x64: { wx: 16, wy: 16, rm: 2, rn: 1 },
  t64x128: { wx: 16, wy: 16, rm: 1, rn: 2 },
  t64x64: { wx: 16, wy: 16, rm: 1, rn: 1 },
  t16x128: { wx: 32, wy: 4, rm: 1, rn: 1 },
  t128x128w128: { wx: 8, wy: 16, rm: 2, rn: 4 },
  t128x256: { wx: 16, wy: 16, rm: 2, rn: 4 },
  t256x128: { wx: 16, wy: 16, rm: 4, rn: 2 },
};
const TILES = GEMM_TILE_CONFIGS;

export interface GemmPlan {
  tile: TileConfig;
  bk: number;
  tilesM: number;
  tilesN: number;
  splits: number;
  kChunk: number;
}

export interface FastMatMulOptions {
  /** Force one tile shape for every GEMM (default: chosen per shape). */
  tile?: GemmTile | undefined;
  /** Workgroup count the tile choice and the K split aim for (default 256). */
  splitTarget?: number | undefined;
  /** K depth of one shared-memory chunk, 8 or 16 (default 16). */
  bk?: GemmBk | undefined;
  /**
   * Deep-K problems (K >= 8192: weight gradients over a batch of tokens, the head's dRows) split K until they have at
   * least this many workgroups, so the last wave of workgroups is a small part of the work (wave quantization: 266
   * workgroups of one resident per SM on 132 SMs run in three waves, the third nearly empty). Default 2048; 0: off.
   * With it on, deep-K A^T·B weight gradients run on the tiled GEMM too.
   */
  deepKWorkgroups?: number | undefined;
  /** Emit the chunk's K loop unrolled (constant shared-memory offsets) instead of a WGSL loop (default false). */
  unroll?: boolean | undefined;
  /**
   * Which problems the tiled GEMM takes: 'measured' (default: where it beat tfjs on an H200, see
   * fastMatMulWins) or 'all' (CLIs: MAGIC_FAST_MATMUL=all).
   */
  shapes?: 'measured' | 'all' | undefined;
}

let options: FastMatMulOptions = {};

/** Tuning knobs (for benchmarks on a device); returns the previous options. `{}` restores the defaults. */
export function configureFastMatMul(next: FastMatMulOptions): FastMatMulOptions {
  const prev = options;
  if (next.splitTarget !== undefined && !(Number.isInteger(next.splitTarget) && next.splitTarget > 0)) {
    throw new FusedOpError('configureFastMatMul', `splitTarget must be a positive integer, got ${next.splitTarget}`);
  }
  if (next.tile !== undefined && !GEMM_TILES.includes(next.tile)) {
    throw new FusedOpError('configureFastMatMul', `tile must be one of ${GEMM_TILES.join(', ')}, got ${next.tile}`);
  }
  if (next.deepKWorkgroups !== undefined && !(Number.isInteger(next.deepKWorkgroups) && next.deepKWorkgroups >= 0)) {
    throw new FusedOpError(
      'configureFastMatMul',
      `deepKWorkgroups must be a non-negative integer, got ${next.deepKWorkgroups}`,
    );
  }
  if (next.bk !== undefined && !GEMM_BKS.includes(next.bk)) {
    throw new FusedOpError('configureFastMatMul', `bk must be one of ${GEMM_BKS.join(', ')}, got ${next.bk}`);
  }
  options = { ...next };
  return prev;
}

/**
 * Default workgroup floor of deep-K problems. Measured on an H200 (GRPO update, checkpointed micro-batches of 64,
 * bench/results/2026-11-27-h200-run23.jsonl): off 2.196 s, 2048 2.056 s, 4096 2.082 s (run22, before the padded
 * head chunks: off 2.212 s, 1024 2.124 s, 2048 2.061 s).
 */
const DEFAULT_DEEPK_WORKGROUPS = 2048;

/** options.deepKWorkgroups (0 turns it off; CLIs: MAGIC_GEMM_DEEPK_WORKGROUPS), else the default. */
function deepKWorkgroups(): number {
  return options.deepKWorkgroups ?? DEFAULT_DEEPK_WORKGROUPS;
}

/** The current tuning knobs (configureFastMatMul). */
export function fastMatMulOptions(): Readonly<FastMatMulOptions> {
  return options;
}

/** Shared memory of one workgroup (two BK-deep buffers of both tiles). */
export function tileSharedBytes(c: TileConfig, bk: number = options.bk ?? DEFAULT_BK): number {
  return 2 * bk * (bm(c) + bn(c)) * 4;
}

/**
 * Tile shape, chunk depth and K split for one problem (exported for tests), among tiles that fit `sharedLimit`
 * bytes of workgroup memory (each at the deepest chunk that fits, unless `bk` is forced); undefined if none does.
 * Training shapes take the first of 256x128, 128x128, 128x64, 64x128 that still gives `splitTarget` workgroups:
 * on an H200 at 16384 x 896 -> {896, 4864, 9728} and the vocabulary head, 256x128 (16x8 outputs per invocation)
 * ran at 24-37 TFLOP/s, 5-25% above 128x128 (bench/results/2026-11-27-h200-run17.jsonl).
 */
export function planGemm(batch: number, m: number, n: number, k: number, sharedLimit = 32768): GemmPlan | undefined {
  const target = options.splitTarget ?? SPLIT_TARGET;
  const tiles = (c: TileConfig) => batch * Math.ceil(m / bm(c)) * Math.ceil(n / bn(c));
  const depths: readonly number[] = options.bk ? [options.bk] : [DEFAULT_BK, ...GEMM_BKS.filter((d) => d < DEFAULT_BK)];
  /** The tile at the deepest chunk that fits, or undefined. */
  const sized = (c: TileConfig) => {
    const bk = depths.find((d) => tileSharedBytes(c, d) <= sharedLimit);
    return bk === undefined ? undefined : { tile: c, bk };
  };
  let order: TileConfig[];
  if (options.tile) order = [TILES[options.tile]];
  else if (m <= 16) order = [TILES.t16x128];
  else if (m <= 64) order = [TILES.t64x128];
  else order = [TILES.t256x128, TILES.t128x128, TILES.t128x64, TILES.t64x128];
  const fitting = order.map(sized).filter((x) => x !== undefined);
  // too few tiles for the target: a deep K is split over the largest tile (the vocabulary head's dRows, K = 151936:
  // 18 TFLOP/s on 64x64 tiles, 26 on 128x256 in the run17 sweep), a shallow one goes to 64x64 tiles
  // (the largest tile that the problem fills: 128 rows do not take 256-row tiles)
  const deepK = m > 64 && k >= SPLIT_LARGE_TILE_K;
  const largest = fitting.find((x) => bm(x.tile) <= m && bn(x.tile) <= n) ?? fitting[fitting.length - 1];
  const chosen =
    fitting.find((x) => tiles(x.tile) >= target) ??
    (options.tile ? fitting[0] : ((deepK ? largest : undefined) ?? sized(TILES.t64x64)));
  if (!chosen) return undefined;
  const { tile, bk: BK } = chosen;
  const tilesM = Math.ceil(m / bm(tile));
  const tilesN = Math.ceil(n / bn(tile));
  const count = batch * tilesM * tilesN;
  let splits = 1;
  if (count < target / 2 && k >= 2 * MIN_SPLIT_K) {
    splits = Math.min(Math.ceil(target / count), Math.floor(k / MIN_SPLIT_K));
  }
  const deep = deepKWorkgroups();
  if (deep > 0 && k >= SPLIT_LARGE_TILE_K && count < deep) {
    splits = Math.max(splits, Math.min(Math.ceil(deep / count), Math.floor(k / MIN_SPLIT_K)));
  }
  const kChunk = Math.max(BK, Math.ceil(k / splits / BK) * BK);
  splits = Math.max(1, Math.ceil(k / kChunk));
  return { tile, bk: BK, tilesM, tilesN, splits, kChunk };
}

/**
 * Where the tiled GEMM beat tfjs' own programs on an H200 (bench/matmul.ts, bench/results/2026-11-27-h200-run4.jsonl):
 * row counts of 256+ (prefill, training: 1.6-1.9x), and the [64 x 896]·[896 x 151936] head (1.1x). Skinny decode
 * shapes (M <= 64) are ours while a dispatch graph is being captured: in GPU time (timestamp queries, run30) the
 * decode step's 72 q/k/v, o and down projections took 2.3 ms on the tiled GEMM with split-K against 8.8 ms on tfjs'
 * programs, and a decode step replayed from a graph ran in 6.95 ms instead of 14.2. Run through tfjs, the split-K
 * sums' extra dispatches cost more host time than the GPU saves (B1 1,675 vs 3,051 tok/s, run31 / run28; run4's
 * 0.57-0.8x for those shapes was wall time per call), so there they stay with tfjs. tfjs' programs won for the
 * layers' A^T·B weight gradients (0.84x), so those stay with tfjs; the vocabulary head's weight gradient (A^T·B
 * with M = V = 151936) went 28.7 -> 36.8 TFLOP/s with the 256x128 tile (run17), so A^T·B with M >= 32768 is ours,
 * and so are deep-K A^T·B weight gradients (K >= 8192 tokens) while `deepKWorkgroups` splits them (run23: tfjs'
 * 0.48 s of them per update became ~0.35 s).
 * `configureFastMatMul({ shapes: 'all' })` uses it everywhere (tuning, tests; CLIs: MAGIC_FAST_MATMUL=all).
 */
export function fastMatMulWins(m: number, n: number, transposeA: boolean, k = 0): boolean {
  if (options.shapes === 'all') return true;
  if (transposeA) return m >= 32768 || (deepKWorkgroups() > 0 && k >= SPLIT_LARGE_TILE_K);
  return m >= 256 || n >= 32768 || (m <= 64 && capturingDispatchGraph());
}
