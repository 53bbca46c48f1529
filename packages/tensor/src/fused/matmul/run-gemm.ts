import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TensorCoreGemmArgs } from '../tensor-core/run.js';
import { type BackendLike, i32Uniform } from '../webgpu-program.js';
import { fastMatMulOptions, fastMatMulWins, planGemm } from './plan.js';
import { GEMM_UNIFORMS, gemmProgram, splitSumProgram, type Variant } from './wgsl.js';

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
  const n = at(outShape, rank - 1, 'output shape');
  const m = at(outShape, rank - 2, 'output shape');
  const lead = full.slice(0, -2);
  const leadOut = outShape.slice(0, -2);
  const leadSize = lead.reduce((x, y) => x * y, 1);
  const leadFull = lead.every((d, i) => d === leadOut[i]);
  if (leadSize !== 1 && !leadFull) return undefined;
  const sn = full[rank - 1] === 1 || n === 1 ? 0 : 1;
  const bnSize = at(full, rank - 1, 'padded bias shape');
  const sm = full[rank - 2] === 1 || m === 1 ? 0 : bnSize;
  const sb = leadSize === 1 ? 0 : at(full, rank - 2, 'padded bias shape') * bnSize;
  return [sb, sm, sn];
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
  const m = transposeA ? at(a.shape, ar - 1, 'a shape') : at(a.shape, ar - 2, 'a shape');
  const k = transposeA ? at(a.shape, ar - 2, 'a shape') : at(a.shape, ar - 1, 'a shape');
  const kb = transposeB ? at(b.shape, br - 1, 'b shape') : at(b.shape, br - 2, 'b shape');
  const n = transposeB ? at(b.shape, br - 2, 'b shape') : at(b.shape, br - 1, 'b shape');
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
  const limits = backend.device?.limits;
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
    unroll: fastMatMulOptions().unroll ?? false,
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
export type TensorCoreHook = (backend: BackendLike, args: TensorCoreGemmArgs) => tf.TensorInfo | undefined;
let tensorCoreGemm: TensorCoreHook | undefined;

/** Installs (or with undefined removes) the tensor-core GEMM hook of runGemm. */
export function setTensorCoreGemm(hook: TensorCoreHook | undefined): void {
  tensorCoreGemm = hook;
}
