import * as tf from '@tensorflow/tfjs-core';
import { MagicError } from '../errors.js';

/** Structural subset of tfjs-backend-webgpu's WebGPUProgram that the fused kernels fill in. */
export interface FusedProgram {
  variableNames: string[];
  outputShape: number[];
  /** Unique per code variant; tfjs appends input ranks/dtypes (shapes travel as uniforms). */
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** Program-defined uniforms, WGSL struct members (e.g. 'eps : f32, '), filled in order by `uniformData`. */
  uniforms?: string;
  /** Adds `uniforms.size` (the output's element count). */
  size?: boolean;
  /** Per input, elements per array item (4: declared `array<vec4<f32>>`, indices in vec4s). */
  variableComponents?: number[];
  /** Elements per output array item (4: `result` is `array<vec4<f32>>`). */
  outputComponent?: number;
  /** Declares the output `array<atomic<i32>>` (float adds through atomicCompareExchangeWeak on the bits). */
  atomic?: boolean;
  getUserCode(): string;
}

export interface ProgramUniform {
  type: 'int32' | 'float32' | 'uint32';
  data: number[];
}

/** One f32 / i32 program uniform. */
export const f32Uniform = (x: number): ProgramUniform => ({ type: 'float32', data: [x] });
export const i32Uniform = (x: number): ProgramUniform => ({ type: 'int32', data: [x] });

interface WebGpuBackendLike {
  runWebGPUProgram(
    program: FusedProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    programDefinedUniform?: ProgramUniform[],
  ): tf.TensorInfo;
}

/** The WebGPU backend as kernel functions see it (the tiled and tensor-core GEMMs). */
export interface BackendLike extends WebGpuBackendLike {
  disposeData(dataId: object): void;
  device?: { limits?: Record<string, number> };
}

/** Thrown when a fused op gets inputs it cannot compute (wrong rank, shape or dtype). */
export class FusedOpError extends MagicError {
  constructor(op: string, message: string) {
    super('FUSED_OP', `${op}: ${message}`);
  }
}

/** True when the active tfjs backend is WebGPU (the fused kernels run there; other backends run the reference). */
export function onWebGpu(): boolean {
  return tf.getBackend() === 'webgpu';
}

/** Runs one WGSL program on the active WebGPU backend and wraps its output as a tracked tensor. */
export function runProgram<R extends tf.Rank>(
  program: FusedProgram,
  inputs: tf.Tensor[],
  dtype: tf.DataType,
  uniforms?: ProgramUniform[],
): tf.Tensor<R> {
  const backend = tf.backend() as unknown as WebGpuBackendLike;
  const info = backend.runWebGPUProgram(program, inputs, dtype, uniforms);
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}

/** Flat dispatch of `groups` workgroups (tfjs splits it over y/z past 65535; kernels derive the group from `index`). */
export function flatProgram(
  base: Omit<FusedProgram, 'dispatchLayout' | 'dispatch' | 'workgroupSize'>,
  groups: number,
  workgroupSize: number,
): FusedProgram {
  return {
    ...base,
    dispatchLayout: { x: base.outputShape.map((_, i) => i) },
    dispatch: [groups, 1, 1],
    workgroupSize: [workgroupSize, 1, 1],
  };
}

/** Workgroup size for a row reduction over `cols` elements (powers of two; 256 for long rows). */
export function rowWorkgroupSize(cols: number): number {
  if (cols >= 2048) return 256;
  if (cols >= 256) return 128;
  return 64;
}

/**
 * WGSL for a tree reduction of `buf[0..wg)` into buf[0] (wg a power of two), `op` 'sum' or 'max'.
 * Must be reached by every invocation (contains barriers).
 */
export function treeReduce(buf: string, wg: number, op: 'sum' | 'max'): string {
  const combine = op === 'sum' ? `${buf}[tid] + ${buf}[tid + s]` : `max(${buf}[tid], ${buf}[tid + s])`;
  return `
      workgroupBarrier();
      for (var s = ${wg / 2}; s > 0; s = s >> 1) {
        if (tid < s) { ${buf}[tid] = ${combine}; }
        workgroupBarrier();
      }`;
}

/**
 * WGSL opening the `main` of a one-workgroup-per-row kernel (`WG` invocations) over input `name` [rows, cols]:
 * defines row, tid, rows, cols, valid (row < rows) and base (row * cols).
 */
export function rowPreludeWgsl(name: string): string {
  return `
      let row = index / WG;
      let tid = index - row * WG;
      let rows = uniforms.${name}Shape[0];
      let cols = uniforms.${name}Shape[1];
      let valid = row < rows;
      let base = row * cols;`;
}

/** Largest finite f32, as WGSL literal (−FLT_MAX is the neutral element of max). */
export const F32_MAX = '3.402823e+38';

/**
 * tf.customGrad with plain tensor arguments: `forward(inputs)` computes the value, `backward(dy, saved)` returns
 * one gradient per input; saved = inputs followed by `keep` (kept alive for the backward pass).
 */
export function withGrad(
  forward: (inputs: tf.Tensor[]) => tf.Tensor,
  backward: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[],
  keep: tf.Tensor[] = [],
): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    save([...inputs, ...keep]);
    return { value: forward(inputs), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved) };
  });
}

interface InPlaceBackend {
  runWebGPUProgram(
    program: FusedProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms: ProgramUniform[] | undefined,
    output: tf.TensorInfo,
  ): tf.TensorInfo;
  refCount(dataId: object): number;
  tensorMap: { get(dataId: object): { values?: unknown } | undefined };
}

/**
 * Runs `program` writing its result into `target`'s own GPU buffer (no new tensor). Only when no other tensor
 * shares that buffer (tfjs shares buffers between a variable and its initial value, reshapes, clones...):
 * returns false, without running anything, otherwise, and the caller computes functionally instead. The CPU
 * copy tfjs may have cached from an earlier read is dropped, so later reads see the new values.
 */
export function runInPlace(
  program: FusedProgram,
  inputs: tf.Tensor[],
  target: tf.Tensor,
  uniforms?: ProgramUniform[],
): boolean {
  const backend = tf.backend() as unknown as InPlaceBackend;
  if (backend.refCount(target.dataId) !== 1) return false;
  backend.runWebGPUProgram(program, inputs, target.dtype, uniforms, target);
  const data = backend.tensorMap.get(target.dataId);
  if (data) data.values = null;
  return true;
}
