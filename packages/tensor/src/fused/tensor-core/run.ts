import type * as tf from '@tensorflow/tfjs-core';
import type { GemmArgs } from '../matmul/run-gemm.js';
import { type BackendLike, FusedOpError, flatProgram, i32Uniform } from '../webgpu-program.js';
import {
  DIRECT_UNIFORMS,
  directGemmUserCode,
  directPadding,
  EPILOGUE_UNIFORMS,
  epilogueWgsl,
  retypeF16Inputs,
  STAGE_UNIFORMS,
  stageWgsl,
} from './direct-wgsl.js';
import {
  HOIST_MARK,
  kernelKey,
  kernelShape,
  TC_UNIFORMS,
  type TensorCoreKernelConfig,
  tensorCoreGemmWgsl,
} from './kernel-wgsl.js';
import { runScales, scaleTarget } from './scales.js';
import { COMMITTED_SWEEP_TABLE, type SweepTable, selectVariant } from './sweep-table.js';
import { tileGemmUserCode } from './tile-wgsl.js';
import {
  type KernelVariant,
  MATMUL_PRECISIONS,
  type MatmulPrecision,
  TC_VARIANTS,
  type TcVariantName,
  variantFor,
} from './variants.js';

/*
 * The tensor-core GEMM behind BatchMatMul / _FusedMatMul (matmul.ts calls runTensorCoreGemm first when a mode
 * other than 'fp32' is active): per-row/column scale exponents (two small programs), then the subgroup-matrix
 * kernel of the variant the sweep table selects for the shape. Returns undefined (the SIMT GEMM runs) in 'fp32'
 * mode, on adapters without subgroup matrices, and for shapes the table gives to the SIMT GEMM.
 */

/** What the adapter offers for subgroup matrices (set by the WebGPU start-up). */
export interface TensorCoreSupport {
  /** Device has chromium-experimental-subgroup-matrix and shader-f16, with f16 configs the variants use. */
  available: boolean;
  /** Why not, when not. */
  reason?: string | undefined;
  /** Adapter's subgroupMinSize / subgroupMaxSize (multi-subgroup variants need both 32). */
  subgroupSizes?: [number, number] | undefined;
  /** f16 -> f32 / f16 -> f16 configs as 'MxNxK' strings, e.g. 'f32:16x8x16'. */
  configs?: string[] | undefined;
}

export interface TensorCoreOptions {
  precision?: MatmulPrecision | undefined;
  /** Force one variant (by name, or a config: tests) for every shape, instead of the sweep table's choice. */
  variant?: TcVariantName | KernelVariant | undefined;
  /** Selection table (default: the committed sweep-table.json). */
  table?: SweepTable | undefined;
  /**
   * Run the scalar emulation of the kernel (same generator, f16 rounding in f32 arithmetic) on any adapter:
   * for tests of the whole path on the software adapter. Slow; never for real work.
   */
  emulate?: boolean | undefined;
}

interface State {
  precision: MatmulPrecision;
  variant: TcVariantName | KernelVariant | undefined;
  table: SweepTable;
  emulate: boolean;
  support: TensorCoreSupport;
}

const state: State = {
  precision: 'fp32',
  variant: undefined,
  table: COMMITTED_SWEEP_TABLE,
  emulate: false,
  support: { available: false, reason: 'WebGPU not started' },
};

/** Sets the tensor-core options; returns the previous ones. `precision` defaults to the current one. */
export function configureTensorCoreGemm(next: TensorCoreOptions): TensorCoreOptions {
  const prev: TensorCoreOptions = {
    precision: state.precision,
    variant: state.variant,
    table: state.table,
    emulate: state.emulate,
  };
  if (next.precision !== undefined && !MATMUL_PRECISIONS.includes(next.precision)) {
    throw new FusedOpError('configureTensorCoreGemm', `precision must be one of ${MATMUL_PRECISIONS.join(', ')}`);
  }
  if (typeof next.variant === 'string' && !(next.variant in TC_VARIANTS)) {
    throw new FusedOpError('configureTensorCoreGemm', `unknown variant ${next.variant}`);
  }
  state.precision = next.precision ?? state.precision;
  state.variant = next.variant;
  state.table = next.table ?? COMMITTED_SWEEP_TABLE;
  state.emulate = next.emulate ?? false;
  return prev;
}

/** Sets only the precision mode (initBackend's `matmulPrecision`). */
export function setMatmulPrecision(precision: MatmulPrecision): void {
  if (!MATMUL_PRECISIONS.includes(precision)) {
    throw new FusedOpError('setMatmulPrecision', `precision must be one of ${MATMUL_PRECISIONS.join(', ')}`);
  }
  state.precision = precision;
}

/** Records what the adapter offers (WebGPU start-up). */
export function setTensorCoreSupport(support: TensorCoreSupport): void {
  state.support = support;
}

export interface TensorCoreStatus {
  requested: MatmulPrecision;
  /** The requested mode where some shape runs on tensor cores, else 'fp32' (unavailable, or an empty table). */
  active: MatmulPrecision;
  /** Why a requested tensor-core mode falls back to the fp32 GEMM (for some or all shapes), if it does. */
  fallback?: string | undefined;
  support: TensorCoreSupport;
  tableMeasuredOn: string | null;
}

/** The requested precision, what is active, and why a fallback happens (reported, never silent). */
export function tensorCoreStatus(): TensorCoreStatus {
  const { precision, support, table, emulate } = state;
  const usable = support.available || emulate;
  let fallback: string | undefined;
  let tcRuns = precision !== 'fp32' && usable;
  if (precision !== 'fp32') {
    if (!usable) fallback = `no subgroup matrices: ${support.reason ?? 'unavailable'}`;
    else if (!state.variant && !table.entries.some((e) => e.precision === precision && e.variant !== null)) {
      fallback = `the sweep table selects no tensor-core kernel for '${precision}' (${table.entries.length === 0 ? 'not measured yet' : 'the SIMT GEMM won every shape'}): every shape runs the fp32 GEMM`;
      tcRuns = false;
    }
  }
  return {
    requested: precision,
    active: tcRuns ? precision : 'fp32',
    ...(fallback ? { fallback } : {}),
    support,
    tableMeasuredOn: table.measuredOn,
  };
}

/** What the SIMT GEMM hands the tensor-core hook: its operands plus the problem it resolved. */
export interface TensorCoreGemmArgs extends GemmArgs {
  /** Bias strides over (batch, M, N) (matmul.ts' biasStrides). */
  biasStrides: [number, number, number];
  m: number;
  n: number;
  k: number;
  batch: number;
  batchA: number;
  batchB: number;
  outShape: number[];
}

/** The kernel config this process would run for a problem, or undefined (SIMT GEMM). */
export function chooseTensorCoreConfig(
  q: Pick<TensorCoreGemmArgs, 'm' | 'n' | 'k' | 'transposeA' | 'transposeB'> & { bias: boolean },
  sharedLimit = 32768,
): TensorCoreKernelConfig | undefined {
  const { precision, support, emulate } = state;
  if (precision === 'fp32' || !(support.available || emulate)) return undefined;
  const name =
    state.variant ??
    selectVariant(state.table, {
      precision,
      m: q.m,
      n: q.n,
      k: q.k,
      transposeA: q.transposeA,
      transposeB: q.transposeB,
    }).variant;
  if (!name) return undefined;
  const cfg: TensorCoreKernelConfig = {
    ...(typeof name === 'string' ? variantFor(name, precision) : name),
    transposeA: q.transposeA,
    transposeB: q.transposeB,
    bias: q.bias,
    emulate,
  };
  const multi = cfg.sgm * cfg.sgn > 1;
  const sizes = support.subgroupSizes;
  if (!emulate && multi && !(sizes && sizes[0] === 32 && sizes[1] === 32)) return undefined;
  if (kernelShape(cfg).sharedBytes > sharedLimit) return undefined;
  if (!emulate && support.configs && !requiredMatrixConfigs(cfg).every((x) => support.configs?.includes(x))) {
    return undefined;
  }
  return cfg;
}

/** The adapter subgroupMatrixConfigs a kernel uses, as TensorCoreSupport.configs strings. */
export function requiredMatrixConfigs(c: TensorCoreKernelConfig): string[] {
  const { m, n, k } = c.mma;
  if (c.accumulate === 'f32') return [`f32:${m}x${n}x${k}`];
  return [`f16:${m}x${n}x${k}`, `f32:${m}x${n}x${n}`];
}

/** Runs the tensor-core GEMM, or returns undefined when the SIMT GEMM should (see the file comment). */
export function runTensorCoreGemm(backend: BackendLike, args: TensorCoreGemmArgs): tf.TensorInfo | undefined {
  if (state.precision === 'fp32') return undefined;
  const { a, b, transposeA, transposeB, bias, m, n, k, batch, batchA, batchB } = args;
  if (k === 0) return undefined;
  const limit = backend.device?.limits?.maxComputeWorkgroupStorageSize ?? 16384;
  const cfg = chooseTensorCoreConfig({ m, n, k, transposeA, transposeB, bias: !!bias }, limit);
  if (!cfg) return undefined;
  const target = scaleTarget(cfg.accumulate, cfg.bk * (cfg.promoteEvery ?? 1));
  const a3: tf.TensorInfo = { ...a, shape: [batchA, ...a.shape.slice(-2)] };
  const b3: tf.TensorInfo = { ...b, shape: [batchB, ...b.shape.slice(-2)] };
  // exponents per row of op(A): rows of A, or columns of A^T; per column of op(B): columns of B, or rows of B^T
  const sA = runScales(backend, a3, transposeA ? 'cols' : 'rows', target, transposeA ? [batchA, k, m] : [batchA, m, k]);
  const sB = runScales(backend, b3, transposeB ? 'rows' : 'cols', target, transposeB ? [batchB, n, k] : [batchB, k, n]);
  if (cfg.direct || cfg.tiled) {
    const out = runDirect(backend, args, cfg, sA, sB);
    backend.disposeData(sA.dataId);
    backend.disposeData(sB.dataId);
    return out;
  }
  const { bm, bn, threads } = kernelShape(cfg);
  const tilesM = Math.ceil(m / bm);
  const tilesN = Math.ceil(n / bn);
  const uniforms: Record<(typeof TC_UNIFORMS)[number], number> = {
    M: m,
    N: n,
    K: k,
    tilesM,
    tilesN,
    batch,
    nChunks: Math.ceil(k / cfg.bk),
    aBatchStride: batchA === 1 ? 0 : m * k,
    bBatchStride: batchB === 1 ? 0 : k * n,
    sABatch: batchA === 1 ? 0 : m,
    sBBatch: batchB === 1 ? 0 : n,
    biasSB: args.biasStrides[0],
    biasSM: args.biasStrides[1],
    biasSN: args.biasStrides[2],
  };
  const program = flatProgram(
    {
      variableNames: bias ? ['a', 'b', 'scaleA', 'scaleB', 'bias'] : ['a', 'b', 'scaleA', 'scaleB'],
      outputShape: [batch, m, n],
      shaderKey: kernelKey(cfg),
      uniforms: TC_UNIFORMS.map((u) => `${u} : i32, `).join(''),
      getUserCode: () => tensorCoreGemmWgsl(cfg),
    },
    batch * tilesM * tilesN,
    threads,
  );
  const out = backend.runWebGPUProgram(
    program,
    bias ? [a3, b3, sA, sB, bias] : [a3, b3, sA, sB],
    'float32',
    TC_UNIFORMS.map((u) => i32Uniform(uniforms[u])),
  );
  backend.disposeData(sA.dataId);
  backend.disposeData(sB.dataId);
  return { dataId: out.dataId, shape: args.outShape, dtype: 'float32' };
}

/**
 * The direct and tiled kernels' three steps (direct-wgsl.ts): staging of both operands, matrix kernel (direct or
 * tiled), epilogue.
 */
function runDirect(
  backend: BackendLike,
  args: TensorCoreGemmArgs,
  cfg: TensorCoreKernelConfig,
  sA: tf.TensorInfo,
  sB: tf.TensorInfo,
): tf.TensorInfo {
  const { a, b, transposeA, transposeB, bias, m, n, k, batch, batchA, batchB } = args;
  const { mp, np, kp } = directPadding(cfg, m, n, k);
  const emu = cfg.emulate;
  const staged: tf.TensorInfo[] = [];
  // op(A) as [batchA][mp][kp] (scaled per row), op(B) as [batchB][kp][np] (scaled per column)
  const stage = (x: tf.TensorInfo, s: tf.TensorInfo, isA: boolean, part: 'hi' | 'lo') => {
    const [R, C, Rp, Cp, batches] = isA ? [m, k, mp, kp, batchA] : [k, n, kp, np, batchB];
    const t = isA ? transposeA : transposeB;
    // source strides of element (r, c) of op(x): A [m][k] or [k][m], B [k][n] or [n][k]
    const [rowStride, colStride] = isA ? (t ? [1, m] : [k, 1]) : t ? [1, k] : [n, 1];
    const elements = batches * Rp * Cp;
    const count = emu ? elements : elements / 2;
    const along = isA ? 'row' : 'col';
    const program = flatProgram(
      {
        variableNames: ['x', 'scale'],
        outputShape: [count],
        shaderKey: `magicTcStage_${along}_${part}_${emu ? 'emu' : 'f16'}`,
        uniforms: STAGE_UNIFORMS.map((u) => `${u} : i32, `).join(''),
        getUserCode: () => stageWgsl(along, part, emu),
      },
      Math.ceil(count / 64),
      64,
    );
    const values = { R, C, Rp, Cp, rowStride, colStride, batchStride: m * k, scaleBatch: isA ? m : n, count };
    values.batchStride = isA ? m * k : k * n;
    const out = backend.runWebGPUProgram(
      program,
      [x, s],
      emu ? 'float32' : 'int32',
      STAGE_UNIFORMS.map((u) => i32Uniform(values[u])),
    );
    staged.push(out);
    return out;
  };
  const inputs = [stage(a, sA, true, 'hi'), stage(b, sB, false, 'hi')];
  if (cfg.split) inputs.push(stage(a, sA, true, 'lo'), stage(b, sB, false, 'lo'));
  const { bm, bn, threads } = kernelShape(cfg);
  const tilesM = mp / bm;
  const tilesN = np / bn;
  const u: Record<(typeof DIRECT_UNIFORMS)[number], number> = {
    Kp: kp,
    Np: np,
    Mp: mp,
    tilesM,
    tilesN,
    batch,
    aBatchStride: batchA === 1 ? 0 : mp * kp,
    bBatchStride: batchB === 1 ? 0 : kp * np,
  };
  const gemm = flatProgram(
    {
      variableNames: cfg.split ? ['a16', 'b16', 'a16lo', 'b16lo'] : ['a16', 'b16'],
      outputShape: [batch * mp * np],
      shaderKey: kernelKey(cfg),
      uniforms: DIRECT_UNIFORMS.map((x) => `${x} : i32, `).join(''),
      getUserCode: () => (cfg.tiled ? tileGemmUserCode(cfg) : directGemmUserCode(cfg)),
    },
    batch * tilesM * tilesN,
    threads,
  );
  const cp = backend.runWebGPUProgram(
    gemm,
    inputs,
    'float32',
    DIRECT_UNIFORMS.map((x) => i32Uniform(u[x])),
  );
  for (const s of staged) backend.disposeData(s.dataId);
  const count = batch * m * n;
  const e: Record<(typeof EPILOGUE_UNIFORMS)[number], number> = {
    M: m,
    N: n,
    Mp: mp,
    Np: np,
    sABatch: batchA === 1 ? 0 : m,
    sBBatch: batchB === 1 ? 0 : n,
    biasSB: args.biasStrides[0],
    biasSM: args.biasStrides[1],
    biasSN: args.biasStrides[2],
    count,
  };
  const epilogue = flatProgram(
    {
      variableNames: bias ? ['cp', 'scaleA', 'scaleB', 'bias'] : ['cp', 'scaleA', 'scaleB'],
      outputShape: [batch, m, n],
      shaderKey: `magicTcEpilogue_${bias ? 'bias' : 'nobias'}`,
      uniforms: EPILOGUE_UNIFORMS.map((x) => `${x} : i32, `).join(''),
      getUserCode: () => epilogueWgsl(!!bias),
    },
    Math.ceil(count / 64),
    64,
  );
  const out = backend.runWebGPUProgram(
    epilogue,
    bias ? [cp, sA, sB, bias] : [cp, sA, sB],
    'float32',
    EPILOGUE_UNIFORMS.map((x) => i32Uniform(e[x])),
  );
  backend.disposeData(cp.dataId);
  return { dataId: out.dataId, shape: args.outShape, dtype: 'float32' };
}

/**
 * Moves the tensor-core kernel's `enable` / `diagnostic` lines (marked HOIST_MARK) to the top of a WGSL module,
 * and declares the direct kernel's packed f16 inputs as f16 arrays (retypeF16Inputs).
 */
export function hoistShaderDirectives(source: string): string {
  if (!source.includes(HOIST_MARK)) return source;
  const code = retypeF16Inputs(source);
  const lines = code.split('\n');
  const hoisted = lines.filter((l) => l.includes(HOIST_MARK)).map((l) => l.trim());
  return [...hoisted, ...lines.filter((l) => !l.includes(HOIST_MARK))].join('\n');
}
