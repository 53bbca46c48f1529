import type * as tf from '@tensorflow/tfjs-core';
import { type FusedProgram, flatProgram, i32Uniform, type ProgramUniform } from '../webgpu-program.js';

/*
 * Per-row scales of op(A) and per-column scales of op(B), as power-of-two exponents: row i of A is multiplied by
 * 2^eA[i] and column j of B by 2^eB[j] before the f16 conversion, and C[i][j] by 2^-(eA[i] + eB[j]) after the
 * product. Why per row / column and not per tile: a row scale of A and a column scale of B commute with the
 * product over K, so one exact power-of-two multiply in the epilogue undoes them and the K loop keeps a single
 * accumulator; a per-(K-)tile scale would have to be undone per chunk, outside the matrix unit. And the error
 * this path promises is relative to ‖a_i‖·‖b_j‖, which is exactly what a per-row/column scale preserves: each
 * row's largest element lands just below 2^(target+1), so rows of any magnitude (activations scaled 1e-3..1e4,
 * gradients) use f16's full precision, and only elements below 2^-(24-target) of their row's largest are lost.
 */

/** Scaled largest element lies in [2^t, 2^(t+1)): 2^15 < 65504 for f32 accumulation. */
export const SCALE_TARGET_F32_ACC = 14;

/**
 * Target for f16 accumulation over `chunkK` products: the partial sums of a chunk must stay below f16's largest
 * value, so chunkK · 2^(2(t+1)) <= 2^15.
 */
export function scaleTarget(accumulate: 'f32' | 'f16-promote', chunkK: number): number {
  if (accumulate === 'f32') return SCALE_TARGET_F32_ACC;
  return Math.floor((15 - Math.log2(chunkK)) / 2) - 1;
}

const view = new DataView(new ArrayBuffer(4));

/** Exponent e with max · 2^e in [2^target, 2^(target+1)); 0 for 0, non-finite or float32-subnormal maxima. */
export function scaleExponent(max: number, target: number): number {
  view.setFloat32(0, max);
  const field = (view.getUint32(0) >>> 23) & 0xff;
  if (field === 0 || field === 0xff) return 0;
  return target - (field - 127);
}

const SCALE_WG = 64;

const EXP_OF = (target: number) => `
    fn expOf(mx : f32) -> f32 {
      let field = i32((bitcast<u32>(mx) >> 23u) & 0xffu);
      if (field == 0 || field == 255) { return 0.0; }
      return f32(${target} - (field - 127));
    }`;

/** Rows of one partial column maximum: a column's R rows are split over ceil(R / COL_ROWS) invocations. */
const COL_ROWS = 256;

/**
 * Program computing the exponents of a [batch, R, C] input (row-major) along 'rows': one exponent per (batch, row)
 * from the max over its C contiguous elements (one workgroup per row, a tree reduction). Exponents are written as
 * f32 integers. Columns take two programs (colMaxProgram, colScaleProgram).
 */
export function rowScaleProgram(target: number, count: number): FusedProgram {
  return flatProgram(
    {
      variableNames: ['x'],
      outputShape: [count],
      shaderKey: `magicTcScaleRows_${target}`,
      uniforms: 'R : i32, C : i32, count : i32, ',
      getUserCode: () => `
    var<workgroup> red : array<f32, ${SCALE_WG}>;
    ${EXP_OF(target)}
    fn main(index : i32) {
      let tid = i32(localIndex);
      let row = index / ${SCALE_WG};
      let ok = row < uniforms.count;
      let base = min(row, uniforms.count - 1) * uniforms.C;
      var mx = 0.0;
      for (var c = tid; c < uniforms.C; c += ${SCALE_WG}) { mx = max(mx, abs(x[base + c])); }
      red[tid] = mx;
      workgroupBarrier();
      for (var s = ${SCALE_WG / 2}; s > 0; s >>= 1u) {
        if (tid < s) { red[tid] = max(red[tid], red[tid + s]); }
        workgroupBarrier();
      }
      if (tid == 0 && ok) { result[row] = expOf(red[0]); }
    }`,
    },
    count,
    SCALE_WG,
  );
}

/**
 * Partial maxima of the columns of a [batch, R, C] input: invocation (chunk, batch * C + col) takes COL_ROWS rows
 * (neighbouring invocations read neighbouring columns; the chunks keep enough invocations in flight when C is
 * small and R large, as for Aᵀ with K = tokens). Output [chunks * count].
 */
export function colMaxProgram(count: number, chunks: number): FusedProgram {
  return flatProgram(
    {
      variableNames: ['x'],
      outputShape: [chunks * count],
      shaderKey: 'magicTcColMax',
      uniforms: 'R : i32, C : i32, count : i32, chunks : i32, ',
      getUserCode: () => `
    fn main(index : i32) {
      if (index >= uniforms.count * uniforms.chunks) { return; }
      let chunk = index / uniforms.count;
      let idx = index % uniforms.count;
      let col = idx % uniforms.C;
      let base = (idx / uniforms.C) * uniforms.R * uniforms.C + col;
      let r1 = min(uniforms.R, (chunk + 1) * ${COL_ROWS});
      var mx = 0.0;
      for (var r = chunk * ${COL_ROWS}; r < r1; r++) { mx = max(mx, abs(x[base + r * uniforms.C])); }
      result[index] = mx;
    }`,
    },
    Math.ceil((chunks * count) / SCALE_WG),
    SCALE_WG,
  );
}

/** Exponents from colMaxProgram's partial maxima [chunks * count]. */
export function colScaleProgram(target: number, count: number): FusedProgram {
  return flatProgram(
    {
      variableNames: ['part'],
      outputShape: [count],
      shaderKey: `magicTcScaleCols_${target}`,
      uniforms: 'count : i32, chunks : i32, ',
      getUserCode: () => `
    ${EXP_OF(target)}
    fn main(index : i32) {
      if (index >= uniforms.count) { return; }
      var mx = 0.0;
      for (var c = 0; c < uniforms.chunks; c++) { mx = max(mx, part[c * uniforms.count + index]); }
      result[index] = expOf(mx);
    }`,
    },
    Math.ceil(count / SCALE_WG),
    SCALE_WG,
  );
}

interface ScaleBackend {
  runWebGPUProgram(
    program: FusedProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: ProgramUniform[],
  ): tf.TensorInfo;
  disposeData(dataId: object): void;
}

/**
 * Exponents of `x` [batches, R, C] (row-major) per (batch, row) (`along` 'rows') or per (batch, column) ('cols'),
 * as a float32 tensor info of batches * R or batches * C values.
 */
export function runScales(
  backend: ScaleBackend,
  x: tf.TensorInfo,
  along: 'rows' | 'cols',
  target: number,
  [batches, R, C]: [number, number, number],
): tf.TensorInfo {
  if (along === 'rows') {
    const count = batches * R;
    return backend.runWebGPUProgram(rowScaleProgram(target, count), [x], 'float32', [R, C, count].map(i32Uniform));
  }
  const count = batches * C;
  const chunks = Math.max(1, Math.ceil(R / COL_ROWS));
  const part = backend.runWebGPUProgram(
    colMaxProgram(count, chunks),
    [x],
    'float32',
    [R, C, count, chunks].map(i32Uniform),
  );
  const out = backend.runWebGPUProgram(
    colScaleProgram(target, count),
    [part],
    'float32',
    [count, chunks].map(i32Uniform),
  );
  backend.disposeData(part.dataId);
  return out;
}
