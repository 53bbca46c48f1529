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

/** Default workgroup floor of deep-K problems: the fastest GRPO update of the values tried (bench/RESULTS.md). */
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
 * the larger tiles ran the training GEMMs faster as long as they filled the device (bench/RESULTS.md).
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
  // too few tiles for the target: a deep K is split over the largest tile the problem fills (faster than small
  // tiles for the vocabulary head's dRows), a shallow one goes to 64x64 tiles
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
 * The problems where the tiled GEMM beat tfjs' own programs (bench/matmul.ts; numbers in bench/RESULTS.md): 256+ rows,
 * the vocabulary head, skinny decode shapes only inside a dispatch graph (through tfjs their split-K sums cost more
 * host time than the GPU saves), A^T·B only for the head's weight gradient and deep-K weight gradients that
 * `deepKWorkgroups` splits. `configureFastMatMul({ shapes: 'all' })` uses it everywhere (CLIs: MAGIC_FAST_MATMUL=all).
 */
export function fastMatMulWins(m: number, n: number, transposeA: boolean, k = 0): boolean {
  if (options.shapes === 'all') return true;
  if (transposeA) return m >= 32768 || (deepKWorkgroups() > 0 && k >= SPLIT_LARGE_TILE_K);
  return m >= 256 || n >= 32768 || (m <= 64 && capturingDispatchGraph());
}
