import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object): boolean;
}

const PATCHED = Symbol.for('magic.wasmKernelsPatched');

function transposeLastTwo(x: TensorInfo, backend: unknown): TensorInfo {
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (!transpose) throw new Error('wasm Transpose kernel is not registered');
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return transpose.kernelFunc({ inputs: { x }, backend: backend as never, attrs: { perm } }) as TensorInfo;
}

/**
 * The wasm BatchMatMul is slow with transposeA set (strided reads of A); this one transposes A first (wasm Transpose
 * kernel), then runs the original kernel. transposeB is left to the original kernel, which runs it through XNNPACK
 * as fast as the plain case (one quiet run on 2 shared cores, 4x256x256: tA 84 -> 66 ms; tB 60 vs 64 ms).
 * The original setup function is kept.
 */
function fastTransposedBatchMatMul(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA } = attrs as { transposeA: boolean };
    if (!transposeA) return original.kernelFunc({ inputs, backend, attrs });
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const aT = transposeLastTwo(a, backend);
    try {
      return original.kernelFunc({ inputs: { a: aT, b }, backend, attrs: { ...attrs, transposeA: false } });
    } finally {
      (backend as unknown as WasmBackendLike).disposeData(aT.dataId);
    }
  };
  return { ...original, kernelFunc };
}

/** UnsortedSegmentSum (the gradient of gather) is missing from tfjs-backend-wasm; computed on the heap in JS. */
const unsortedSegmentSumKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as { numSegments: number };
  const wasm = backend as unknown as WasmBackendLike;
  const segRank = segmentIds.shape.length;
  const outShape = [numSegments, ...x.shape.slice(segRank)];
  const inner = tf.util.sizeFromShape(x.shape.slice(segRank));
  const out = wasm.makeOutput(outShape, x.dtype);
  const outVals = wasm.typedArrayFromHeap(out);
  outVals.fill(0);
  const xVals = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) outVals[dst + j]! += xVals[src + j]!;
  }
  return out;
};

/** Registers UnsortedSegmentSum and the transposing BatchMatMul on the wasm backend (idempotent). */
export function patchWasmKernels(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[PATCHED]) return;
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (!original) throw new Error('tfjs-backend-wasm is not loaded: no wasm BatchMatMul kernel');
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel(fastTransposedBatchMatMul(original));
  if (!tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) {
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSumKernel });
  }
  g[PATCHED] = true;
}
