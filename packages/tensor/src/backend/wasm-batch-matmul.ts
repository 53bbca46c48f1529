import { at, defined } from '@magic/core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm 4.22's BackendWasm (and its emscripten module) this kernel uses. */
interface WasmBackendInternals {
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined; has(dataId: object): boolean };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
}

type MatMulFn = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;

/**
 * Fewest rows per matrix for which a batch runs as one XNNPACK call per matrix: a decode step's [32 x 2 x 32] x
 * [32 x 32 x 150] took 2.9 ms that way and 1.1 ms in the original loop; [32 x 240 x 32] x [.. x 120] 15 vs 52 ms.
 */
const MIN_ROWS_PER_MATRIX = 8;

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

function transposeLastTwo(x: TensorInfo, backend: unknown): TensorInfo {
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (!transpose) throw new Error('wasm Transpose kernel is not registered');
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return transpose.kernelFunc({ inputs: { x }, backend: backend as never, attrs: { perm } }) as TensorInfo;
}

/**
 * tfjs-backend-wasm's own BatchMatMul with a transposeA operand transposed first (its strided reads are slow): the
 * kernel of the builds before `fastWasmBatchMatMul`. Transposed-B and batched products stay in tfjs' blocked scalar
 * loop, so results keep that loop's float32 rounding (XNNPACK sums over K in another order).
 */
export function transposeFirstBatchMatMul(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA } = attrs as { transposeA: boolean };
    if (!transposeA) return original.kernelFunc({ inputs, backend, attrs });
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const aT = transposeLastTwo(a, backend);
    try {
      return original.kernelFunc({ inputs: { a: aT, b }, backend, attrs: { ...attrs, transposeA: false } });
    } finally {
      (backend as unknown as WasmBackendInternals).disposeData(aT.dataId);
    }
  };
  return { ...original, kernelFunc };
}

/** Data ids of the live tf.Variables (weights): their transposes are worth keeping. */
function variableDataIds(): Set<object> {
  const vars = (tf.engine().state as unknown as { registeredVariables: Record<string, tf.Variable> })
    .registeredVariables;
  return new Set(Object.values(vars).map((v) => v.dataId));
}

/**
 * tfjs-backend-wasm 4.22 runs BatchMatMul through XNNPACK only for one plain (untransposed) matrix pair; anything
 * else takes a scalar loop about 10x slower. Measured on 2 shared cores: 1920x128 -> 384 with transposeB 214 ms vs
 * 16 ms transposed first; a [2,960,128] x [2,128,384] batch 125 ms vs 12 ms as one matrix; a head over every
 * position (1920x128 -> 4096) 2.9 s vs 0.26 s. So this kernel
 * - transposes flagged operands first (a weight's transpose is kept until the weight is freed: XNNPACK caches its
 *   packed form by tensor id, so a decode step's head matmul drops from 7.2 to 2 ms);
 * - runs a batch as one XNNPACK call per matrix on views into the operands' heap memory (no copies).
 */
export function fastWasmBatchMatMul(original: KernelConfig): KernelConfig {
  let matMul: MatMulFn | undefined;
  /** A weight's data id -> its kept transpose; freed with the weight (the disposeData hook below). */
  const transposes = new Map<object, TensorInfo>();
  let hooked: WasmBackendInternals | undefined;

  const hookDispose = (backend: WasmBackendInternals): void => {
    if (hooked === backend) return;
    hooked = backend;
    const dispose = backend.disposeData.bind(backend);
    backend.disposeData = (dataId: object, force?: boolean): boolean => {
      const done = dispose(dataId, force);
      const kept = transposes.get(dataId);
      if (kept && !backend.dataIdMap.has(dataId)) {
        transposes.delete(dataId);
        dispose(kept.dataId, true);
      }
      return done;
    };
  };

  /** `b` transposed in its last two axes: a kept copy for a weight, else a fresh one (`owned`). */
  const transposedB = (b: TensorInfo, backend: WasmBackendInternals): { t: TensorInfo; owned: boolean } => {
    const kept = transposes.get(b.dataId);
    if (kept) return { t: kept, owned: false };
    const t = transposeLastTwo(b, backend);
    if (!variableDataIds().has(b.dataId)) return { t, owned: true };
    hookDispose(backend);
    transposes.set(b.dataId, t);
    return { t, owned: false };
  };

  /** Plain a [.., M, K] x b [.., K, N], one XNNPACK call per matrix; undefined if the batch dims broadcast otherwise. */
  const perMatrix = (a: TensorInfo, b: TensorInfo, backend: WasmBackendInternals): TensorInfo | undefined => {
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
    const sameOuter = a.shape.length === b.shape.length && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
    if (!sameOuter && batchA !== 1 && batchB !== 1) return undefined;
    const outer = batchA >= batchB ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
    const [m, k] = a.shape.slice(-2) as [number, number];
    const n = at(b.shape, b.shape.length - 1, 'b shape');
    const out = backend.makeOutput([...outer, m, n], 'float32');
    matMul ??= backend.wasm.cwrap(tf.BatchMatMul, null, [
      'number',
      'array',
      'number',
      'number',
      'array',
      'number',
      'number',
      'number',
      'number',
    ]) as MatMulFn;
    const dataOf = (t: TensorInfo) => defined(backend.dataIdMap.get(t.dataId), 'wasm tensor data');
    const aData = dataOf(a);
    const bData = dataOf(b);
    const outData = dataOf(out);
    const aShape = shapeBytes([1, m, k]);
    const bShape = shapeBytes([1, k, n]);
    const views: number[] = [];
    /** A tensor id over `size` floats at `offset` of the heap (no allocation; disposed as an id only). */
    const view = (offset: number, size: number): number => {
      const id = backend.dataIdNextNumber++;
      backend.wasm.tfjs.registerTensor(id, size, offset);
      views.push(id);
      return id;
    };
    try {
      const batch = Math.max(batchA, batchB);
      for (let i = 0; i < batch; i++) {
        const aId = batchA === 1 ? aData.id : view(aData.memoryOffset + i * m * k * 4, m * k);
        const bId = batchB === 1 ? bData.id : view(bData.memoryOffset + i * k * n * 4, k * n);
        const outId = view(outData.memoryOffset + i * m * n * 4, m * n);
        matMul(aId, aShape, 3, bId, bShape, 3, false, false, outId);
      }
    } finally {
      for (const id of views) backend.wasm.tfjs.disposeData(id);
    }
    return out;
  };

  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const wasm = backend as unknown as WasmBackendInternals;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc({ inputs, backend, attrs });
    const batch = Math.max(tf.util.sizeFromShape(a.shape.slice(0, -2)), tf.util.sizeFromShape(b.shape.slice(0, -2)));
    const rows = at(a.shape, a.shape.length - (transposeA ? 1 : 2), 'a shape');
    // a batch of few-row matrices (a decode step's attention) is faster in the original loop than as XNNPACK calls
    const perMatrixCalls = batch > 1 && rows >= MIN_ROWS_PER_MATRIX;
    const flipB = transposeB && (batch === 1 || perMatrixCalls);
    if (!transposeA && !flipB && !perMatrixCalls) return original.kernelFunc({ inputs, backend, attrs });
    const aT = transposeA ? transposeLastTwo(a, backend) : a;
    const bT = flipB ? transposedB(b, wasm) : { t: b, owned: false };
    try {
      const rest = { ...attrs, transposeA: false, transposeB: transposeB && !flipB };
      return (
        (perMatrixCalls ? perMatrix(aT, bT.t, wasm) : undefined) ??
        original.kernelFunc({ inputs: { a: aT, b: bT.t }, backend, attrs: rest })
      );
    } finally {
      if (aT !== a) wasm.disposeData(aT.dataId);
      if (bT.owned) wasm.disposeData(bT.t.dataId);
    }
  };
  return { ...original, kernelFunc };
}
