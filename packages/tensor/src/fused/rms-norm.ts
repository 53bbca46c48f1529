import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  FusedOpError,
  f32Uniform,
  flatProgram,
  onWebGpu,
  rowPreludeWgsl,
  rowWorkgroupSize,
  runProgram,
  treeReduce,
  withGrad,
} from './webgpu-program.js';

/** Unfused reference: x * rsqrt(mean(x^2, -1) + eps) * weight (as in @magic/lm's model). */
export function rmsNormReference<T extends tf.Tensor>(x: T, weight: tf.Tensor, eps: number): T {
  return tf.tidy(() => {
    const variance = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight) as T;
  });
}

/**
 * WGSL declarations and the opening of `main` for a one-workgroup-per-row kernel over x [rows, cols]: the row
 * prelude, then r = rsqrt(mean(x^2) + uniforms.eps) of the row (shared-memory sum of squares in `buf`).
 */
function rowInverseRmsWgsl(wg: number): string {
  return `
    const WG = ${wg};
    var<workgroup> buf : array<f32, ${wg}>;
    fn main(index : i32) {
      ${rowPreludeWgsl('x')}
      var acc = 0.0;
      if (valid) {
        for (var c = tid; c < cols; c += WG) {
          let v = x[base + c];
          acc += v * v;
        }
      }
      buf[tid] = acc;
      ${treeReduce('buf', wg, 'sum')}
      let r = inverseSqrt(buf[0] / f32(cols) + uniforms.eps);`;
}

function rmsNormProgram(rows: number, cols: number) {
  const wg = rowWorkgroupSize(cols);
  return flatProgram(
    {
      variableNames: ['x', 'w'],
      outputShape: [rows, cols],
      shaderKey: `magicRmsNorm_${wg}`,
      uniforms: 'eps : f32, ',
      getUserCode: () => `
    ${rowInverseRmsWgsl(wg)}
      if (valid) {
        for (var c = tid; c < cols; c += WG) {
          result[base + c] = x[base + c] * r * w[c];
        }
      }
    }`,
    },
    rows,
    wg,
  );
}

function rmsNormKernel<T extends tf.Tensor>(x: T, weight: tf.Tensor, eps: number): T {
  return tf.tidy(() => {
    const h = at(x.shape, x.rank - 1, 'x shape');
    const rows = x.size / h;
    const x2 = tf.reshape(x, [rows, h]);
    const y = runProgram(rmsNormProgram(rows, h), [x2, weight], 'float32', [f32Uniform(eps)]);
    return tf.reshape(y, x.shape) as T;
  });
}

/** Per row: r = rsqrt(mean(x^2) + eps) (`withDx` false, output [rows]) or dx = r·dy·w − x·r³·mean(dy·w·x) ([rows, cols]). */
function rmsNormBackwardProgram(rows: number, cols: number, withDx: boolean) {
  const wg = rowWorkgroupSize(cols);
  return flatProgram(
    {
      // unused bindings are stripped by the WGSL compiler, so the r variant binds x only
      variableNames: withDx ? ['x', 'w', 'dy'] : ['x'],
      outputShape: withDx ? [rows, cols] : [rows],
      shaderKey: `magicRmsNormBackward_${wg}_${withDx ? 'dx' : 'r'}`,
      uniforms: 'eps : f32, ',
      getUserCode: () => `
    ${rowInverseRmsWgsl(wg)}
      ${
        withDx
          ? `workgroupBarrier();
      var dot = 0.0;
      if (valid) {
        for (var c = tid; c < cols; c += WG) { dot += dy[base + c] * w[c] * x[base + c]; }
      }
      buf[tid] = dot;
      ${treeReduce('buf', wg, 'sum')}
      let s = buf[0] / f32(cols);
      if (valid) {
        for (var c = tid; c < cols; c += WG) {
          result[base + c] = r * dy[base + c] * w[c] - x[base + c] * r * r * r * s;
        }
      }`
          : 'if (valid && tid == 0) { result[row] = r; }'
      }
    }`,
    },
    rows,
    wg,
  );
}

/** Rows per partial sum of the weight gradient. */
const DW_CHUNK = 64;

/**
 * Partial weight gradients p[c, j] = Σ_{i in chunk c} dy[i,j]·x[i,j]·r[i], one invocation per (chunk, column):
 * enough parallelism for long row counts (one invocation per column looping over all rows was a GRPO update's
 * slowest program).
 */
function rmsNormWeightGradPartialProgram(rows: number, cols: number) {
  const chunks = Math.ceil(rows / DW_CHUNK);
  const wg = 64;
  return flatProgram(
    {
      variableNames: ['x', 'dy', 'r'],
      outputShape: [chunks, cols],
      shaderKey: 'magicRmsNormWeightGrad',
      size: true,
      getUserCode: () => `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      let rows = uniforms.xShape[0];
      let cols = uniforms.xShape[1];
      let chunk = index / cols;
      let col = index - chunk * cols;
      let end = min(rows, (chunk + 1) * ${DW_CHUNK});
      var acc = 0.0;
      for (var i = chunk * ${DW_CHUNK}; i < end; i++) {
        let k = i * cols + col;
        acc += dy[k] * x[k] * r[i];
      }
      result[index] = acc;
    }`,
    },
    Math.ceil((chunks * cols) / wg),
    wg,
  );
}

/** dw[j] = Σ_c p[c, j]: the column sums of the partials. */
function columnSumProgram(cols: number) {
  const wg = 64;
  return flatProgram(
    {
      variableNames: ['p'],
      outputShape: [cols],
      shaderKey: 'magicColumnSum',
      getUserCode: () => `
    fn main(index : i32) {
      let chunks = uniforms.pShape[0];
      let cols = uniforms.pShape[1];
      if (index >= cols) { return; }
      var acc = 0.0;
      for (var c = 0; c < chunks; c++) { acc += p[c * cols + index]; }
      result[index] = acc;
    }`,
    },
    Math.ceil(cols / wg),
    wg,
  );
}

/** Backward on WebGPU in four dispatches (r per row, dx per row, dw partials, dw sums) instead of ~16 tfjs ops. */
function rmsNormBackwardKernel(x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor, eps: number): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const h = at(x.shape, x.rank - 1, 'x shape');
    const rows = x.size / h;
    const x2 = tf.reshape(x, [rows, h]);
    const dy2 = tf.reshape(dy, [rows, h]);
    const u = [f32Uniform(eps)];
    const r = runProgram(rmsNormBackwardProgram(rows, h, false), [x2], 'float32', u);
    const dx = runProgram(rmsNormBackwardProgram(rows, h, true), [x2, w, dy2], 'float32', u);
    const partial = runProgram(rmsNormWeightGradPartialProgram(rows, h), [x2, dy2, r], 'float32');
    const dw = runProgram(columnSumProgram(h), [partial], 'float32');
    return [tf.reshape(dx, x.shape), dw];
  });
}

function check(x: tf.Tensor, weight: tf.Tensor): void {
  if (x.rank < 1) throw new FusedOpError('fusedRmsNorm', 'x must have rank >= 1');
  const h = x.shape[x.rank - 1];
  if (weight.rank !== 1 || weight.shape[0] !== h) {
    throw new FusedOpError('fusedRmsNorm', `weight shape [${weight.shape}] does not match hidden size ${h}`);
  }
  if (x.dtype !== 'float32' || weight.dtype !== 'float32') {
    throw new FusedOpError('fusedRmsNorm', `expected float32 inputs, got ${x.dtype}/${weight.dtype}`);
  }
}

/**
 * RMSNorm over the last axis: x * rsqrt(mean(x^2) + eps) * weight, x [..., H], weight [H].
 * WebGPU: one dispatch, one workgroup per row (shared-memory sum of squares). Other backends: the reference.
 * Differentiable in x and weight (WebGPU backward: four dispatches; elsewhere unfused ops).
 */
export function fusedRmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor, eps: number): T {
  check(x, weight);
  const op = withGrad(
    ([xi, wi]) => {
      const xs = defined(xi, 'rmsNorm input');
      const ws = defined(wi, 'rmsNorm weight');
      return onWebGpu() ? rmsNormKernel(xs, ws, eps) : rmsNormReference(xs, ws, eps);
    },
    (dy, saved) => {
      const [xs, ws] = saved as [tf.Tensor, tf.Tensor];
      if (onWebGpu()) return rmsNormBackwardKernel(xs, ws, dy, eps);
      const r = tf.rsqrt(tf.add(tf.mean(tf.square(xs), -1, true), eps));
      const g = tf.mul(dy, ws);
      // d/dx [x r] applied to g: r g - x r^3 mean(g x)
      const dx = tf.sub(tf.mul(g, r), tf.mul(tf.mul(xs, tf.pow(r, 3)), tf.mean(tf.mul(g, xs), -1, true)));
      const lead = Array.from({ length: xs.rank - 1 }, (_, i) => i);
      const dw = tf.sum(tf.mul(dy, tf.mul(xs, r)), lead);
      return [dx, dw];
    },
  );
  return op(x, weight) as T;
}
