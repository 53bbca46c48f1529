import * as tf from '@tensorflow/tfjs-core';
import { capturingDispatchGraph } from '../backend/dispatch-graph.js';
import { FusedOpError, type FusedProgram, flatProgram, i32Uniform, type ProgramUniform } from './webgpu-program.js';

/*
 * Tiled WGSL GEMM for tfjs' BatchMatMul and _FusedMatMul (activation 'linear') on WebGPU:
 * C[b] = op(A[b]) · op(B[b]) (+ bias), float32, any M, N, K, batch of 1 broadcast.
 *
 * One workgroup computes a BM x BN tile of C; thread (tx, ty) of the WX x WY grid holds RM x RN register
 * blocks of 4x4 outputs (rows i*4*WY + 4*ty + 0..3, columns j*4*WX + 4*tx + 0..3). K goes in chunks of BK
 * through double-buffered shared memory, stored k-major (As[k][m], Bs[k][n]) so the inner loop reads vec4s of
 * both; the next chunk's global loads are issued into registers before the current chunk is multiplied and stored
 * into the other buffer after it (one barrier per chunk). The four transpose
 * combinations differ only in how the tiles are loaded: along the operand's contiguous dimension, as vec4 when
 * that dimension is a multiple of 4 (scalar, bounds-checked loads otherwise). Few tiles (skinny decode shapes,
 * M <= 64): K is split over workgroups into partial products that a second pass sums (and adds the bias to).
 */

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

const bm = (c: TileConfig) => 4 * c.wy * c.rm;
const bn = (c: TileConfig) => 4 * c.wx * c.rn;

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
   * fastMatMulWins) or 'all'. Env MAGIC_FAST_MATMUL=all forces 'all'.
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

/** options.deepKWorkgroups, else $MAGIC_GEMM_DEEPK_WORKGROUPS (0 turns it off; for A/B runs), else the default. */
function deepKWorkgroups(): number {
  if (options.deepKWorkgroups !== undefined) return options.deepKWorkgroups;
  const env = process.env.MAGIC_GEMM_DEEPK_WORKGROUPS;
  if (env === undefined || env === '') return DEFAULT_DEEPK_WORKGROUPS;
  const v = Number(env);
  return Number.isInteger(v) && v >= 0 ? v : DEFAULT_DEEPK_WORKGROUPS;
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

interface Variant {
  tile: TileConfig;
  bk: number;
  unroll: boolean;
  transposeA: boolean;
  transposeB: boolean;
  vecA: boolean;
  vecB: boolean;
  vecC: boolean;
  bias: boolean;
}

const GEMM_UNIFORMS = [
  'M',
  'N',
  'K',
  'tilesN',
  'tilesM',
  'splits',
  'batch',
  'kChunk',
  'nChunks',
  'aBatchStride',
  'bBatchStride',
  'biasSB',
  'biasSM',
  'biasSN',
] as const;

/**
 * XOR applied to the vec4 index within k-row `k` of a tile stored from k-contiguous loads: the 4 invocations that
 * load 16 consecutive k of one row write 4 different k-rows, which without it land in the same shared-memory bank
 * (4-way conflicts); with it the 8 rows x 4 k-groups of a warp hit 32 distinct banks. Even values below 8 keep a
 * vec4 index inside its aligned block of 8, so the vec4 reads of the inner loop stay conflict-free.
 */
function swizzle(k: string, t: number): string {
  return `((${k} >> 2u) << 1u) & ${t / 4 - 1}`;
}

/**
 * WGSL that loads one operand's BK x T tile (T = BM or BN; `outer` is m or n) into registers `p<name><i>`
 * and stores them into shared `<name>s` (k-major). `alongOuter`: the operand is contiguous along m/n
 * (A transposed, B not), else along k.
 */
function operandCode(name: 'A' | 'B', t: number, wg: number, alongOuter: boolean, vec: boolean, BK: number) {
  const src = name.toLowerCase();
  const outerSize = name === 'A' ? 'uniforms.M' : 'uniforms.N';
  const base = name === 'A' ? 'aBase' : 'bBase';
  const o0 = name === 'A' ? 'm0' : 'n0';
  const units = (BK * t) / 4;
  const per = Math.ceil(units / wg);
  const exact = units % wg === 0;
  const decl: string[] = [];
  const load: string[] = [];
  const store: string[] = [];
  for (let p = 0; p < per; p++) {
    const r = `p${name}${p}`;
    decl.push(`var ${r} = vec4<f32>(0.0);`);
    const guard = exact ? 'true' : `(tid + ${p * wg} < ${units})`;
    const u = `(tid + ${p * wg})`;
    if (alongOuter) {
      // element (o, k) at base + k * outerSize + o; 4 consecutive o
      const kk = `${u} / ${t / 4}`;
      const oc = `(${u} % ${t / 4}) * 4`;
      const idx = `${base} + (k0 + ${kk}) * ${outerSize} + ${o0} + ${oc}`;
      const inK = `(k0 + ${kk} < kEnd)`;
      if (vec) {
        load.push(
          `if (${guard} && ${inK} && ${o0} + ${oc} < ${outerSize}) { ${r} = ${src}[(${idx}) / 4]; } else { ${r} = vec4<f32>(0.0); }`,
        );
      } else {
        load.push(`{ let i = ${idx}; let ok = ${guard} && ${inK}; let o = ${o0} + ${oc};`);
        for (let c = 0; c < 4; c++) {
          load.push(
            `  ${r}[${c}] = select(0.0, ${src}[min(i + ${c}, lastIdx${name})], ok && o + ${c} < ${outerSize});`,
          );
        }
        load.push('}');
      }
      store.push(exact ? `${name}s[${name}St + ${u}] = ${r};` : `if (${guard}) { ${name}s[${name}St + ${u}] = ${r}; }`);
    } else {
      // element (o, k) at base + o * K + k; 4 consecutive k
      const oo = `${u} / ${BK / 4}`;
      const kc = `(${u} % ${BK / 4}) * 4`;
      const idx = `${base} + (${o0} + ${oo}) * uniforms.K + k0 + ${kc}`;
      const inO = `(${o0} + ${oo} < ${outerSize})`;
      if (vec) {
        load.push(
          `if (${guard} && ${inO} && k0 + ${kc} < kEnd) { ${r} = ${src}[(${idx}) / 4]; } else { ${r} = vec4<f32>(0.0); }`,
        );
      } else {
        load.push(`{ let i = ${idx}; let ok = ${guard} && ${inO}; let k = k0 + ${kc};`);
        for (let c = 0; c < 4; c++) {
          load.push(`  ${r}[${c}] = select(0.0, ${src}[min(i + ${c}, lastIdx${name})], ok && k + ${c} < kEnd);`);
        }
        load.push('}');
      }
      const body = [
        `let oo = ${oo};`,
        `let kc = ${kc};`,
        `let v = (oo / 4) ^ (${swizzle('kc', t)});`,
        ...[0, 1, 2, 3].map((c) => `${name}s[${name}St + (kc + ${c}) * ${t / 4} + v][oo % 4] = ${r}[${c}];`),
      ].join(' ');
      store.push(exact ? `{ ${body} }` : `if (${guard}) { ${body} }`);
    }
  }
  return { decl: decl.join('\n      '), load: load.join('\n        '), store: store.join('\n        ') };
}

function gemmProgram(v: Variant, plan: GemmPlan, batch: number, m: number, n: number): FusedProgram {
  const c = v.tile;
  const BM = bm(c);
  const BN = bn(c);
  const wg = c.wx * c.wy;
  const BK = v.bk;
  const a = operandCode('A', BM, wg, v.transposeA, v.vecA, BK);
  const b = operandCode('B', BN, wg, !v.transposeB, v.vecB, BK);
  const accs: string[] = [];
  const writes: string[] = [];
  // operands loaded along k are stored swizzled (see swizzle)
  const swA = !v.transposeA;
  const swB = v.transposeB;
  /** One k step of the register-blocked product; `k` a WGSL expression (the loop variable or a literal). */
  const kStep = (k: string): string[] => {
    const lines: string[] = [];
    const sw = (t: number) => (/^\d+$/.test(k) ? String(((Number(k) >> 2) << 1) & (t / 4 - 1)) : `(${swizzle(k, t)})`);
    for (let i = 0; i < c.rm; i++) {
      const col = swA ? `((${i * c.wy} + ty) ^ ${sw(BM)})` : `${i * c.wy} + ty`;
      lines.push(`let a${i} = As[ACur + ${k} * ${BM / 4} + ${col}];`);
    }
    for (let j = 0; j < c.rn; j++) {
      const col = swB ? `((${j * c.wx} + tx) ^ ${sw(BN)})` : `${j * c.wx} + tx`;
      lines.push(`let b${j} = Bs[BCur + ${k} * ${BN / 4} + ${col}];`);
    }
    for (let i = 0; i < c.rm; i++) {
      for (let r = 0; r < 4; r++) {
        for (let j = 0; j < c.rn; j++) {
          const acc = `c${i}_${r}_${j}`;
          lines.push(`${acc} = fma(vec4<f32>(a${i}[${r}]), b${j}, ${acc});`);
        }
      }
    }
    return lines;
  };
  const kLoop = v.unroll
    ? Array.from({ length: BK }, (_, k) => `{\n          ${kStep(String(k)).join('\n          ')}\n        }`).join(
        '\n        ',
      )
    : `for (var k = 0; k < ${BK}; k++) {\n          ${kStep('k').join('\n          ')}\n        }`;
  for (let i = 0; i < c.rm; i++) {
    for (let r = 0; r < 4; r++) {
      for (let j = 0; j < c.rn; j++) {
        const acc = `c${i}_${r}_${j}`;
        accs.push(`var ${acc} = vec4<f32>(0.0);`);
        const row = `m0 + ${i * 4 * c.wy + r} + 4 * ty`;
        const col = `n0 + ${j * 4 * c.wx} + 4 * tx`;
        const biasAt = (cc: string) => `bias[bBias + (${row}) * uniforms.biasSM + (${cc}) * uniforms.biasSN]`;
        if (v.vecC) {
          const add = v.bias ? ` + vec4<f32>(${[0, 1, 2, 3].map((q) => biasAt(`${col} + ${q}`)).join(', ')})` : '';
          writes.push(
            `if (valid && ${row} < uniforms.M && ${col} < uniforms.N) { result[(outBase + (${row}) * uniforms.N + ${col}) / 4] = ${acc}${add}; }`,
          );
        } else {
          writes.push(`if (valid && ${row} < uniforms.M) {`);
          for (let q = 0; q < 4; q++) {
            const add = v.bias ? ` + ${biasAt(`${col} + ${q}`)}` : '';
            writes.push(
              `  if (${col} + ${q} < uniforms.N) { result[outBase + (${row}) * uniforms.N + ${col} + ${q}] = ${acc}[${q}]${add}; }`,
            );
          }
          writes.push('}');
        }
      }
    }
  }
  const key = [
    'magicGemm',
    c.wx,
    c.wy,
    c.rm,
    c.rn,
    `bk${BK}`,
    v.unroll ? 'unrolled' : 'loop',
    v.transposeA ? 'tA' : 'nA',
    v.transposeB ? 'tB' : 'nB',
    v.vecA ? 'vA' : 'sA',
    v.vecB ? 'vB' : 'sB',
    v.vecC ? 'vC' : 'sC',
    v.bias ? 'bias' : 'nobias',
  ].join('_');
  const groups = batch * plan.splits * plan.tilesM * plan.tilesN;
  return {
    ...flatProgram(
      {
        variableNames: v.bias ? ['a', 'b', 'bias'] : ['a', 'b'],
        outputShape: [batch * plan.splits, m, n],
        shaderKey: key,
        uniforms: GEMM_UNIFORMS.map((u) => `${u} : i32, `).join(''),
        getUserCode: () => `
    const WG = ${wg};
    const WX = ${c.wx};
    const SA = ${(BK * BM) / 4};
    const SB = ${(BK * BN) / 4};
    // two buffers per operand: the next chunk is stored while the current one is multiplied (one barrier a chunk)
    var<workgroup> As : array<vec4<f32>, ${(2 * BK * BM) / 4}>;
    var<workgroup> Bs : array<vec4<f32>, ${(2 * BK * BN) / 4}>;
    fn main(index : i32) {
      let tid = i32(localIndex);
      let tx = tid % WX;
      let ty = tid / WX;
      let grp = index / WG;
      let total = uniforms.tilesN * uniforms.tilesM * uniforms.splits * uniforms.batch;
      let valid = grp < total;
      let g = min(grp, total - 1);
      let tn = g % uniforms.tilesN;
      var rest = g / uniforms.tilesN;
      let tm = rest % uniforms.tilesM;
      rest = rest / uniforms.tilesM;
      let sp = rest % uniforms.splits;
      let bt = rest / uniforms.splits;
      let m0 = tm * ${BM};
      let n0 = tn * ${BN};
      let kBeg = sp * uniforms.kChunk;
      let kEnd = min(uniforms.K, kBeg + uniforms.kChunk);
      let aBase = bt * uniforms.aBatchStride;
      let bBase = bt * uniforms.bBatchStride;
      let lastIdxA = i32(arrayLength(&a)) - 1;
      let lastIdxB = i32(arrayLength(&b)) - 1;
      ${accs.join('\n      ')}
      ${a.decl}
      ${b.decl}
      var k0 = kBeg;
      {
        ${a.load}
        ${b.load}
        let ASt = 0;
        let BSt = 0;
        ${a.store}
        ${b.store}
      }
      workgroupBarrier();
      for (var ch = 0; ch < uniforms.nChunks; ch++) {
        let cur = ch & 1;
        let ACur = cur * SA;
        let BCur = cur * SB;
        let more = ch + 1 < uniforms.nChunks;
        k0 = kBeg + (ch + 1) * ${BK};
        if (more) {
          ${a.load}
          ${b.load}
        }
        ${kLoop}
        if (more) {
          let ASt = SA - ACur;
          let BSt = SB - BCur;
          ${a.store}
          ${b.store}
        }
        workgroupBarrier();
      }
      let outBase = (sp * uniforms.batch + bt) * uniforms.M * uniforms.N;
      let bBias = bt * uniforms.biasSB;
      ${writes.join('\n      ')}
    }`,
      },
      groups,
      wg,
    ),
    variableComponents: v.bias ? [v.vecA ? 4 : 1, v.vecB ? 4 : 1, 1] : [v.vecA ? 4 : 1, v.vecB ? 4 : 1],
    ...(v.vecC ? { outputComponent: 4 } : {}),
  } as FusedProgram;
}

const SUM_WG = 256;

/**
 * Sums the `splits` partial products [splits * batch, M, N] into [batch, M, N], adding the bias; without `part`
 * (K = 0) writes the bias or zeros.
 */
function splitSumProgram(batch: number, m: number, n: number, bias: boolean, part = true): FusedProgram {
  const size = batch * m * n;
  const add = bias ? ` + bias[bt * uniforms.biasSB + row * uniforms.biasSM + col * uniforms.biasSN]` : '';
  return flatProgram(
    {
      variableNames: [...(part ? ['part'] : []), ...(bias ? ['bias'] : [])],
      outputShape: [batch, m, n],
      shaderKey: `magicGemmSplitSum_${bias ? 'bias' : 'nobias'}_${part ? 'part' : 'nopart'}`,
      uniforms: 'M : i32, N : i32, splits : i32, total : i32, biasSB : i32, biasSM : i32, biasSN : i32, ',
      getUserCode: () => `
    fn main(index : i32) {
      if (index >= uniforms.total) { return; }
      let col = index % uniforms.N;
      let row = (index / uniforms.N) % uniforms.M;
      let bt = index / (uniforms.N * uniforms.M);
      var acc = 0.0;
      ${part ? 'for (var s = 0; s < uniforms.splits; s++) { acc += part[s * uniforms.total + index]; }' : ''}
      result[index] = acc${add};
    }`,
    },
    Math.ceil(size / SUM_WG) || 1,
    SUM_WG,
  );
}

interface BackendLike {
  runWebGPUProgram(
    program: FusedProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: ProgramUniform[],
  ): tf.TensorInfo;
  disposeData(dataId: object): void;
}

export interface GemmArgs {
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  bias?: tf.TensorInfo | undefined;
}

/**
 * Bias strides over (batch, M, N) for a bias broadcastable to `outShape` (0 where broadcast), or undefined
 * when the broadcast cannot be written that way (partial broadcast over batch dims).
 */
function biasStrides(bias: number[], outShape: number[]): [number, number, number] | undefined {
  const rank = outShape.length;
  if (bias.length > rank) return undefined;
  const full = [...Array(rank - bias.length).fill(1), ...bias] as number[];
  for (let i = 0; i < rank; i++) if (full[i] !== 1 && full[i] !== outShape[i]) return undefined;
  const n = outShape[rank - 1]!;
  const m = outShape[rank - 2]!;
  const lead = full.slice(0, -2);
  const leadOut = outShape.slice(0, -2);
  const leadSize = lead.reduce((x, y) => x * y, 1);
  const leadFull = lead.every((d, i) => d === leadOut[i]);
  if (leadSize !== 1 && !leadFull) return undefined;
  const sn = full[rank - 1] === 1 || n === 1 ? 0 : 1;
  const bnSize = full[rank - 1]!;
  const sm = full[rank - 2] === 1 || m === 1 ? 0 : bnSize;
  const sb = leadSize === 1 ? 0 : full[rank - 2]! * bnSize;
  return [sb, sm, sn];
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
 * `configureFastMatMul({ shapes: 'all' })` or MAGIC_FAST_MATMUL=all uses it everywhere (tuning, tests).
 */
export function fastMatMulWins(m: number, n: number, transposeA: boolean, k = 0): boolean {
  if (options.shapes === 'all' || process.env.MAGIC_FAST_MATMUL === 'all') return true;
  if (transposeA) return m >= 32768 || (deepKWorkgroups() > 0 && k >= SPLIT_LARGE_TILE_K);
  return m >= 256 || n >= 32768 || (m <= 64 && capturingDispatchGraph());
}

/**
 * The GEMM on the WebGPU backend, on TensorInfos (kernel level), or undefined when this kernel does not handle
 * the case (the caller falls back to tfjs' own program).
 */
export function runGemm(backend: BackendLike, args: GemmArgs): tf.TensorInfo | undefined {
  const { a, b, transposeA, transposeB, bias } = args;
  // The buffer's dtype, not the tensor's: tfjs' WebGPU cast can relabel an int32 buffer as float32.
  const stored = (t: tf.TensorInfo): string =>
    (backend as unknown as { tensorMap?: { get(id: object): { dtype?: string } | undefined } }).tensorMap?.get(t.dataId)
      ?.dtype ?? t.dtype;
  if ([a, b, ...(bias ? [bias] : [])].some((t) => t.dtype !== 'float32' || stored(t) !== 'float32')) return undefined;
  const ar = a.shape.length;
  const br = b.shape.length;
  if (ar < 2 || br < 2) return undefined;
  const m = transposeA ? a.shape[ar - 1]! : a.shape[ar - 2]!;
  const k = transposeA ? a.shape[ar - 2]! : a.shape[ar - 1]!;
  const kb = transposeB ? b.shape[br - 1]! : b.shape[br - 2]!;
  const n = transposeB ? b.shape[br - 2]! : b.shape[br - 1]!;
  if (k !== kb) return undefined;
  const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  let outLead: number[];
  try {
    outLead = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return undefined;
  }
  const batch = outLead.reduce((x, y) => x * y, 1);
  // Flattened batches line up only if each side is unbroadcast or a single matrix.
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return undefined;
  if (m === 0 || n === 0 || batch === 0) return undefined;
  // a tensor-core precision mode (tensor-core/run.ts) takes the shapes its sweep table gives it
  const tcStrides = bias ? biasStrides(bias.shape, [...outLead, m, n]) : ([0, 0, 0] as [number, number, number]);
  const tc =
    tcStrides &&
    tensorCoreGemm?.(backend, {
      ...args,
      m,
      n,
      k,
      batch,
      batchA,
      batchB,
      biasStrides: tcStrides,
      outShape: [...outLead, m, n],
    });
  if (tc) return tc;
  if (!fastMatMulWins(m, n, transposeA, k)) return undefined;
  const outShape = [...outLead, m, n];
  let strides: [number, number, number] = [0, 0, 0];
  if (bias) {
    const s = biasStrides(bias.shape, outShape);
    if (!s) return undefined;
    strides = s;
  }
  // B shared by all batches and A [batch, M, K] contiguous: one [batch * M, K] matrix (B read once, not per batch),
  // if the bias folds too (per column only, or rows of the folded matrix).
  const [sb, sm, sn] = strides;
  const biasRow = sn === 0 ? 1 : n;
  const biasFolds = (sb === 0 && sm === 0) || (sb === m * biasRow && (sm === biasRow || m === 1));
  if (batchB === 1 && batch > 1 && !transposeA && biasFolds) {
    const folded = runGemm(backend, {
      a: { ...a, shape: [batch * m, k] },
      b: { ...b, shape: b.shape.slice(-2) },
      transposeA,
      transposeB,
      bias: bias && { ...bias, shape: sb === 0 ? [biasRow] : [batch * m, biasRow] },
    });
    return folded && { ...folded, shape: outShape };
  }
  const limits = (backend as { device?: { limits?: Record<string, number> } }).device?.limits;
  if (k === 0) {
    // empty inputs cannot be bound: the output is the bias (or zeros)
    const fill = splitSumProgram(batch, m, n, !!bias, false);
    const out = backend.runWebGPUProgram(
      fill,
      bias ? [bias] : [],
      'float32',
      [m, n, 0, batch * m * n, ...strides].map(i32Uniform),
    );
    return { dataId: out.dataId, shape: outShape, dtype: 'float32' };
  }
  const plan = planGemm(batch, m, n, k, limits?.maxComputeWorkgroupStorageSize ?? 16384);
  if (!plan) return undefined;
  const split = plan.splits > 1;
  const variant: Variant = {
    tile: plan.tile,
    bk: plan.bk,
    unroll: options.unroll ?? false,
    transposeA,
    transposeB,
    vecA: (transposeA ? m : k) % 4 === 0,
    vecB: (transposeB ? k : n) % 4 === 0,
    vecC: n % 4 === 0,
    bias: !!bias && !split,
  };
  const a3: tf.TensorInfo = { ...a, shape: [batchA, ...a.shape.slice(-2)] };
  const b3: tf.TensorInfo = { ...b, shape: [batchB, ...b.shape.slice(-2)] };
  const nChunks = Math.ceil(Math.min(plan.kChunk, k) / plan.bk);
  const uniforms: Record<(typeof GEMM_UNIFORMS)[number], number> = {
    M: m,
    N: n,
    K: k,
    tilesN: plan.tilesN,
    tilesM: plan.tilesM,
    splits: plan.splits,
    batch,
    kChunk: plan.kChunk,
    nChunks,
    aBatchStride: batchA === 1 ? 0 : m * k,
    bBatchStride: batchB === 1 ? 0 : k * n,
    biasSB: strides[0],
    biasSM: strides[1],
    biasSN: strides[2],
  };
  const gemmInputs = variant.bias && bias ? [a3, b3, bias] : [a3, b3];
  const program = gemmProgram(variant, plan, batch, m, n);
  const out = backend.runWebGPUProgram(
    program,
    gemmInputs,
    'float32',
    GEMM_UNIFORMS.map((u) => i32Uniform(uniforms[u])),
  );
  let result = out;
  const sumUniforms = [m, n, plan.splits, batch * m * n, ...strides].map(i32Uniform);
  if (split) {
    const sum = splitSumProgram(batch, m, n, !!bias);
    result = backend.runWebGPUProgram(sum, bias ? [out, bias] : [out], 'float32', sumUniforms);
    backend.disposeData(out.dataId);
  }

  return { dataId: result.dataId, shape: outShape, dtype: 'float32' };
}

/** The tensor-core GEMM (tensor-core/run.ts), tried first; undefined when it does not take the problem. */
type TensorCoreHook = (
  backend: BackendLike,
  args: GemmArgs & {
    m: number;
    n: number;
    k: number;
    batch: number;
    batchA: number;
    batchB: number;
    biasStrides: [number, number, number];
    outShape: number[];
  },
) => tf.TensorInfo | undefined;
let tensorCoreGemm: TensorCoreHook | undefined;

/** Installs (or with undefined removes) the tensor-core GEMM hook of runGemm. */
export function setTensorCoreGemm(hook: TensorCoreHook | undefined): void {
  tensorCoreGemm = hook;
}

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo | undefined>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

let originals: { batchMatMul: tf.KernelConfig; fusedMatMul: tf.KernelConfig } | undefined;

function fastKernel(name: string, original: tf.KernelConfig, fused: boolean): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: (params) => {
      const { inputs, backend, attrs = {} } = params as unknown as KernelArgs;
      const activation = attrs.activation as string | undefined | null;
      const supported =
        !fused ||
        ((activation === undefined || activation === null || activation === 'linear') &&
          !inputs.preluActivationWeights);
      const out = supported
        ? runGemm(backend as BackendLike, {
            a: inputs.a!,
            b: inputs.b!,
            transposeA: !!attrs.transposeA,
            transposeB: !!attrs.transposeB,
            bias: fused ? inputs.bias : undefined,
          })
        : undefined;
      return out ?? (original.kernelFunc as (p: unknown) => tf.TensorInfo)(params);
    },
    kernelName: name,
  };
}

/**
 * Registers the tiled GEMM as the 'webgpu' kernel of BatchMatMul and _FusedMatMul (tfjs-backend-webgpu must be
 * imported, i.e. WebGPU started). Cases it does not handle (non-float32, activations other than linear, prelu
 * weights, partial batch broadcasts) run tfjs' original kernels. Idempotent; returns whether it is installed.
 */
export function installFastMatMul(): boolean {
  if (originals) return true;
  const batchMatMul = tf.getKernel(tf.BatchMatMul, 'webgpu');
  const fusedMatMul = tf.getKernel(tf._FusedMatMul, 'webgpu');
  if (!batchMatMul || !fusedMatMul) return false;
  originals = { batchMatMul, fusedMatMul };
  tf.unregisterKernel(tf.BatchMatMul, 'webgpu');
  tf.registerKernel(fastKernel(tf.BatchMatMul, batchMatMul, false));
  tf.unregisterKernel(tf._FusedMatMul, 'webgpu');
  tf.registerKernel(fastKernel(tf._FusedMatMul, fusedMatMul, true));
  return true;
}

/** Restores tfjs' own BatchMatMul and _FusedMatMul kernels on 'webgpu' (idempotent). */
export function uninstallFastMatMul(): void {
  if (!originals) return;
  tf.unregisterKernel(tf.BatchMatMul, 'webgpu');
  tf.registerKernel(originals.batchMatMul);
  tf.unregisterKernel(tf._FusedMatMul, 'webgpu');
  tf.registerKernel(originals.fusedMatMul);
  originals = undefined;
}

/** Whether the tiled GEMM is the current 'webgpu' matmul kernel. */
export function fastMatMulInstalled(): boolean {
  return originals !== undefined;
}
