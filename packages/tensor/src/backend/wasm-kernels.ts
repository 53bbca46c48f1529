import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { typedAt } from '../typed-at.js';
import { fastWasmBatchMatMul, transposeFirstBatchMatMul } from './wasm-batch-matmul.js';
import { guardWasmBackendHeap } from './wasm-heap.js';

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackendLike {
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object): boolean;
}

const PATCHED = Symbol.for('magic.wasmKernelsPatched');
const ORIGINAL_MATMUL = Symbol.for('magic.wasmOriginalBatchMatMul');
const MATMUL_KIND = Symbol.for('magic.wasmMatMulKind');

/**
 * The wasm BatchMatMul: 'xnnpack' (default) runs every float32 product through XNNPACK; 'tfjs' keeps
 * tfjs-backend-wasm's kernel (a transposed A transposed first), whose float32 rounding the builds before had.
 */
export const WASM_MATMULS = ['xnnpack', 'tfjs'] as const;
export type WasmMatMul = (typeof WASM_MATMULS)[number];

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
    const s = typedAt(ids, i, 'segment ids');
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++)
      outVals[dst + j] = typedAt(outVals, dst + j, 'output') + typedAt(xVals, src + j, 'x');
  }
  return out;
};

/**
 * Identity (tf.clone; the tape clones every tensor it saves for backward) shares the buffer, as on the cpu backend:
 * wasm tensors are never written in place. tfjs-backend-wasm copied it: 8% of an organism-s forward + backward.
 */
const sharedIdentityKernel: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  (backend as unknown as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/**
 * Guards the wasm heap (wasm-heap.ts) and registers UnsortedSegmentSum, the buffer-sharing Identity and the
 * BatchMatMul of `matMul` (wasm-batch-matmul.ts) on the wasm backend. Idempotent; a later call may switch `matMul`.
 */
export function patchWasmKernels(opts: { matMul?: WasmMatMul } = {}): void {
  guardWasmBackendHeap();
  const g = globalThis as Record<symbol, unknown>;
  const matMul = opts.matMul ?? 'xnnpack';
  if (g[MATMUL_KIND] !== matMul) {
    const original = (g[ORIGINAL_MATMUL] as KernelConfig | undefined) ?? tf.getKernel(tf.BatchMatMul, 'wasm');
    if (!original) throw new Error('tfjs-backend-wasm is not loaded: no wasm BatchMatMul kernel');
    g[ORIGINAL_MATMUL] = original;
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel(matMul === 'xnnpack' ? fastWasmBatchMatMul(original) : transposeFirstBatchMatMul(original));
    g[MATMUL_KIND] = matMul;
  }
  if (g[PATCHED]) return;
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({ kernelName: tf.Identity, backendName: 'wasm', kernelFunc: sharedIdentityKernel });
  if (!tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) {
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSumKernel });
  }
  g[PATCHED] = true;
}
