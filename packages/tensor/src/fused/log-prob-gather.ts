import * as tf from '@tensorflow/tfjs-core';
import {
  F32_MAX,
  FusedOpError,
  flatProgram,
  onWebGpu,
  rowPreludeWgsl,
  rowWorkgroupSize,
  runProgram,
  withGrad,
} from './webgpu-program.js';

/** Unfused reference: sum(logits * onehot(ids)) - logSumExp(logits) per row (as in @magic/lm's scoring). */
export function logProbGatherReference(logits: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oh = tf.cast(tf.oneHot(ids, logits.shape[1]), 'float32');
    return tf.sub(tf.sum(tf.mul(logits, oh), 1), tf.logSumExp(logits, 1)) as tf.Tensor1D;
  });
}

/**
 * WGSL body shared by the forward and backward kernels, one workgroup per row of `logits`: each invocation keeps an
 * online (max, sum of exp) over its strided columns (vec4 loads when V is a multiple of 4), the pairs are
 * tree-merged in shared memory, and `lse` (the row's log-sum-exp) is defined after it for all invocations.
 */
function rowLogSumExpWgsl(vec: number): string {
  const step =
    vec === 4
      ? `let x = logits[base4 + c];
          let mx = max(m, max(max(x.x, x.y), max(x.z, x.w)));
          s = s * exp(m - mx) + dot(exp(x - vec4<f32>(mx)), vec4<f32>(1.0));
          m = mx;`
      : `let x = logits[base4 + c];
          let mx = max(m, x);
          s = s * exp(m - mx) + exp(x - mx);
          m = mx;`;
  return `
      ${rowPreludeWgsl('logits')}
      let base4 = base / ${vec};
      let n = cols / ${vec};
      var m = -${F32_MAX};
      var s = 0.0;
      if (valid) {
        for (var c = tid; c < n; c += WG) {
          ${step}
        }
      }
      bm[tid] = m;
      bs[tid] = s;
      workgroupBarrier();
      for (var k = WG / 2; k > 0; k = k >> 1) {
        if (tid < k) {
          let m1 = bm[tid];
          let m2 = bm[tid + k];
          let mx = max(m1, m2);
          bs[tid] = bs[tid] * exp(m1 - mx) + bs[tid + k] * exp(m2 - mx);
          bm[tid] = mx;
        }
        workgroupBarrier();
      }
      let lse = bm[0] + log(bs[0]);`;
}

function rowKernelHeader(wg: number): string {
  return `
    const WG = ${wg};
    var<workgroup> bm : array<f32, ${wg}>;
    var<workgroup> bs : array<f32, ${wg}>;`;
}

/** Forward: result[row] = logits[row, ids[row]] - lse(row), one pass over the row. */
function logProbGatherProgram(rows: number, cols: number) {
  const wg = rowWorkgroupSize(cols);
  const vec = cols % 4 === 0 ? 4 : 1;
  const picked = vec === 4 ? 'logits[(base + id) / 4][(base + id) % 4]' : 'logits[base + id]';
  return {
    ...flatProgram(
      {
        variableNames: ['logits', 'ids'],
        outputShape: [rows],
        shaderKey: `magicLogProbGather_${wg}_${vec}`,
        getUserCode: () => `
    ${rowKernelHeader(wg)}
    fn main(index : i32) {
      ${rowLogSumExpWgsl(vec)}
      if (valid && tid == 0) {
        let id = ids[row];
        var picked = 0.0;
        if (id >= 0 && id < cols) { picked = ${picked}; }
        result[row] = picked - lse;
      }
    }`,
      },
      rows,
      wg,
    ),
    variableComponents: [vec, 1],
  };
}

/**
 * Backward: dLogits[row, c] = dy[row] · (onehot(ids[row])[c] − exp(logits[row, c] − lse)), one dispatch and one
 * [N,V] output (tfjs' ops: one-hot, cast, softmax's five passes, sub, mul — about eight [N,V] temporaries).
 */
function logProbGatherBackwardProgram(rows: number, cols: number) {
  const wg = rowWorkgroupSize(cols);
  const vec = cols % 4 === 0 ? 4 : 1;
  const write =
    vec === 4
      ? `let x = logits[base4 + c];
          let col = vec4<i32>(4 * c, 4 * c + 1, 4 * c + 2, 4 * c + 3);
          let oh = select(vec4<f32>(0.0), vec4<f32>(1.0), col == vec4<i32>(id));
          result[base4 + c] = g * (oh - exp(x - vec4<f32>(lse)));`
      : `let x = logits[base4 + c];
          let oh = select(0.0, 1.0, c == id);
          result[base4 + c] = g * (oh - exp(x - lse));`;
  return {
    ...flatProgram(
      {
        variableNames: ['logits', 'ids', 'dy'],
        outputShape: [rows, cols],
        shaderKey: `magicLogProbGatherGrad_${wg}_${vec}`,
        getUserCode: () => `
    ${rowKernelHeader(wg)}
    fn main(index : i32) {
      ${rowLogSumExpWgsl(vec)}
      if (valid) {
        let id = ids[row];
        let g = dy[row];
        for (var c = tid; c < n; c += WG) {
          ${write}
        }
      }
    }`,
      },
      rows,
      wg,
    ),
    variableComponents: [vec, 1, 1],
    outputComponent: vec,
  };
}

/** The WebGPU kernel alone (no gradient); used by sampleTokens too. */
export function logProbGatherKernel(logits: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor1D {
  const [n, v] = logits.shape;
  return runProgram<tf.Rank.R1>(logProbGatherProgram(n, v), [logits, ids], 'float32');
}

/**
 * The gradient of logProbGather's output w.r.t. the logits: dy[:,None] · (onehot(ids) − softmax(logits)) [N,V].
 * WebGPU: one dispatch; elsewhere the unfused ops.
 */
export function logProbGatherGrad(logits: tf.Tensor2D, ids: tf.Tensor1D, dy: tf.Tensor1D): tf.Tensor2D {
  if (onWebGpu()) {
    const [n, v] = logits.shape;
    return runProgram<tf.Rank.R2>(logProbGatherBackwardProgram(n, v), [logits, ids, dy], 'float32');
  }
  return tf.tidy(() => {
    const oh = tf.cast(tf.oneHot(ids, logits.shape[1]), 'float32');
    return tf.mul(tf.expandDims(dy, 1), tf.sub(oh, tf.softmax(logits))) as tf.Tensor2D;
  });
}

/**
 * Token log-probabilities logits[i, ids[i]] - logSumExp(logits[i]) for logits [N,V], ids [N] int32 -> [N],
 * without materialising a [N,V] log-softmax. WebGPU: one dispatch, one workgroup per row, one pass (online max
 * and sum-exp); backward one dispatch more, writing only dLogits.
 * Ids outside [0,V) pick 0 (like the one-hot reference). Differentiable in logits:
 * dLogits = dy[:,None] * (onehot(ids) - softmax(logits)).
 */
export function logProbGather(logits: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor1D {
  if (logits.rank !== 2) throw new FusedOpError('logProbGather', `logits must be [N,V], got [${logits.shape}]`);
  if (ids.rank !== 1 || ids.shape[0] !== logits.shape[0]) {
    throw new FusedOpError('logProbGather', `ids must be [${logits.shape[0]}], got [${ids.shape}]`);
  }
  if (ids.dtype !== 'int32') throw new FusedOpError('logProbGather', `ids must be int32, got ${ids.dtype}`);
  if (logits.dtype !== 'float32')
    throw new FusedOpError('logProbGather', `logits must be float32, got ${logits.dtype}`);
  const op = withGrad(
    ([l]) => (onWebGpu() ? logProbGatherKernel(l as tf.Tensor2D, ids) : logProbGatherReference(l as tf.Tensor2D, ids)),
    (dy, saved) => {
      const [ls, is] = saved as [tf.Tensor2D, tf.Tensor1D];
      return [logProbGatherGrad(ls, is, dy as tf.Tensor1D)];
    },
    [ids], // kept for the backward pass (ids may be created inside the forward's tidy)
  );
  return op(logits) as tf.Tensor1D;
}
