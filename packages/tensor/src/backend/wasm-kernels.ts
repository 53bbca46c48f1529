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
 * The wasm BatchMatMul is much slower with transposeA/transposeB set; this one transposes the operand first
 * (wasm Transpose kernel), then runs the original kernel untransposed. The original setup function is kept.
 */
function fastTransposedBatchMatMul(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const wasm = backend as unknown as WasmBackendLike;
    const aT = transposeA ? transposeLastTwo(a, backend) : a;
    const bT = transposeB ? transposeLastTwo(b, backend) : b;
    try {
      return original.kernelFunc({
        inputs: { a: aT, b: bT },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      if (aT !== a) wasm.disposeData(aT.dataId);
      if (bT !== b) wasm.disposeData(bT.dataId);
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
