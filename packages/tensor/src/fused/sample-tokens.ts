import * as tf from '@tensorflow/tfjs-core';
import { tfSeed } from '../seed.js';
import { logProbGatherKernel, logProbGatherReference } from './log-prob-gather.js';
import {
  F32_MAX,
  FusedOpError,
  flatProgram,
  onWebGpu,
  rowPreludeWgsl,
  runProgram,
  treeReduce,
} from './webgpu-program.js';

export interface SampleTokensOptions {
  /** Softmax temperature; 0 = argmax (greedy). */
  temperature: number;
  /** One uniform number in [0,1) per row, [B] float32: the randomness (host RNG stays its source). */
  uniforms?: tf.Tensor1D;
  /** Instead of `uniforms`: seed for tf.randomUniform([B]) (deterministic, identical on every backend). */
  seed?: number;
}

export interface SampledTokens {
  /** Chosen token per row, [B] int32. */
  ids: tf.Tensor1D;
  /** log p(id) at temperature 1 (log-softmax of the raw logits), [B] float32. */
  logprobs: tf.Tensor1D;
}

/**
 * Unfused reference: inverse CDF of softmax(logits / T): the first id whose cumulative weight
 * exp((l - max) / T) reaches u * total (clamped to V-1); T = 0 is argmax.
 */
export function sampleIdsReference(logits: tf.Tensor2D, u: tf.Tensor1D, temperature: number): tf.Tensor1D {
  return tf.tidy(() => {
    if (temperature === 0) return tf.argMax(logits, 1) as tf.Tensor1D;
    const v = logits.shape[1];
    const e = tf.exp(tf.mul(tf.sub(logits, tf.max(logits, 1, true)), 1 / temperature));
    const cum = tf.cumsum(e, 1);
    const total = tf.slice(cum, [0, v - 1], [-1, 1]);
    const r = tf.mul(tf.expandDims(u, 1), total);
    const idx = tf.sum(tf.cast(tf.less(cum, r), 'int32'), 1);
    return tf.minimum(idx, tf.scalar(v - 1, 'int32')) as tf.Tensor1D;
  });
}

const WG = 256;

/** Greedy: argmax per row (ties -> lowest id), one workgroup per row. */
function argMaxProgram(rows: number) {
  return flatProgram(
    {
      variableNames: ['logits'],
      outputShape: [rows],
      shaderKey: `magicArgMax_${WG}`,
      getUserCode: () => `
    const WG = ${WG};
    var<workgroup> bv : array<f32, ${WG}>;
    var<workgroup> bi : array<i32, ${WG}>;
    fn main(index : i32) {
      ${rowPreludeWgsl('logits')}
      var best = -${F32_MAX};
      var bestId = cols;
      if (valid) {
        for (var c = tid; c < cols; c += WG) {
          let x = logits[base + c];
          if (x > best || bestId == cols) { best = x; bestId = c; }
        }
      }
      bv[tid] = best;
      bi[tid] = bestId;
      workgroupBarrier();
      for (var s = WG / 2; s > 0; s = s >> 1) {
        if (tid < s) {
          let ov = bv[tid + s];
          let oi = bi[tid + s];
          if (ov > bv[tid] || (ov == bv[tid] && oi < bi[tid])) { bv[tid] = ov; bi[tid] = oi; }
        }
        workgroupBarrier();
      }
      if (valid && tid == 0) { result[row] = min(bi[0], cols - 1); }
    }`,
    },
    rows,
    WG,
  );
}

/**
 * Inverse-CDF sampling, one workgroup per row: each invocation owns a contiguous chunk of the vocabulary;
 * chunk sums are scanned in order, and the invocation whose chunk holds u * total walks it.
 */
function sampleProgram(rows: number) {
  return flatProgram(
    {
      variableNames: ['logits', 'u'],
      outputShape: [rows],
      shaderKey: `magicSampleInvCdf_${WG}`,
      uniforms: 'invTemp : f32, ',
      getUserCode: () => `
    const WG = ${WG};
    var<workgroup> buf : array<f32, ${WG}>;
    var<workgroup> pre : array<f32, ${WG + 1}>;
    var<workgroup> pick : i32;
    fn main(index : i32) {
      ${rowPreludeWgsl('logits')}
      let chunk = (cols + WG - 1) / WG;
      let start = min(tid * chunk, cols);
      let end = min(start + chunk, cols);
      var m = -${F32_MAX};
      if (valid) {
        for (var c = start; c < end; c++) { m = max(m, logits[base + c]); }
      }
      buf[tid] = m;
      ${treeReduce('buf', WG, 'max')}
      let rowMax = buf[0];
      workgroupBarrier();
      var s = 0.0;
      if (valid) {
        for (var c = start; c < end; c++) { s += exp((logits[base + c] - rowMax) * uniforms.invTemp); }
      }
      buf[tid] = s;
      workgroupBarrier();
      if (tid == 0) {
        var acc = 0.0;
        pre[0] = 0.0;
        for (var i = 0; i < WG; i++) {
          acc += buf[i];
          pre[i + 1] = acc;
        }
        pick = cols - 1;
      }
      workgroupBarrier();
      var r = 0.0;
      if (valid) { r = u[row] * pre[WG]; }
      if (valid && start < end && (tid == 0 || pre[tid] < r) && pre[tid + 1] >= r) {
        var acc = pre[tid];
        var found = end - 1;
        for (var c = start; c < end; c++) {
          acc += exp((logits[base + c] - rowMax) * uniforms.invTemp);
          if (acc >= r) { found = c; break; }
        }
        pick = found;
      }
      workgroupBarrier();
      if (valid && tid == 0) { result[row] = pick; }
    }`,
    },
    rows,
    WG,
  );
}

function sampleIdsKernel(logits: tf.Tensor2D, u: tf.Tensor1D, temperature: number): tf.Tensor1D {
  const n = logits.shape[0];
  if (temperature === 0) return runProgram<tf.Rank.R1>(argMaxProgram(n), [logits], 'int32');
  return runProgram<tf.Rank.R1>(sampleProgram(n), [logits, u], 'int32', [{ type: 'float32', data: [1 / temperature] }]);
}

/**
 * Samples one token per row of logits [B,V] from softmax(logits / temperature) by inverse CDF with one
 * uniform per row (temperature 0: argmax), and returns its temperature-1 log-prob.
 * WebGPU: two dispatches (sample, then logProbGather). Other backends: unfused reference ops that choose
 * the same ids for the same uniforms (up to float summation order at CDF boundaries). Not differentiable.
 */
export function sampleTokens(logits: tf.Tensor2D, opts: SampleTokensOptions): SampledTokens {
  if (logits.rank !== 2) throw new FusedOpError('sampleTokens', `logits must be [B,V], got [${logits.shape}]`);
  if (logits.dtype !== 'float32') throw new FusedOpError('sampleTokens', `logits must be float32, got ${logits.dtype}`);
  const { temperature } = opts;
  if (!(Number.isFinite(temperature) && temperature >= 0)) {
    throw new FusedOpError('sampleTokens', `temperature must be a finite number >= 0, got ${temperature}`);
  }
  const b = logits.shape[0];
  if (opts.uniforms && (opts.uniforms.rank !== 1 || opts.uniforms.shape[0] !== b)) {
    throw new FusedOpError('sampleTokens', `uniforms must be [${b}], got [${opts.uniforms.shape}]`);
  }
  if (temperature > 0 && !opts.uniforms && opts.seed === undefined) {
    throw new FusedOpError('sampleTokens', 'pass uniforms [B] or a seed when temperature > 0');
  }
  return tf.tidy(() => {
    const u =
      opts.uniforms !== undefined
        ? tf.cast(opts.uniforms, 'float32')
        : tf.randomUniform([b], 0, 1, 'float32', tfSeed(opts.seed ?? 0));
    const gpu = onWebGpu();
    const ids = gpu
      ? sampleIdsKernel(logits, u as tf.Tensor1D, temperature)
      : sampleIdsReference(logits, u as tf.Tensor1D, temperature);
    const logprobs = gpu ? logProbGatherKernel(logits, ids) : logProbGatherReference(logits, ids);
    return { ids, logprobs };
  });
}
