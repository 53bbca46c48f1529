import * as tf from '@tensorflow/tfjs-core';
import { F32_MAX, FusedOpError, flatProgram, onWebGpu, runProgram } from './webgpu-program.js';

/**
 * Unfused reference (as in @magic/lm's attention for one new token): query heads of one kv group stacked,
 * scores = q k^T * scale + bias, softmax over S, times v.
 */
export function decodeAttentionReference(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor4D,
  scale: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, nh, , d] = q.shape;
    const kvh = k.shape[1];
    const qg = tf.reshape(q, [b, kvh, nh / kvh, d]);
    const scores = tf.add(tf.mul(tf.matMul(qg, k, false, true), scale), bias);
    return tf.reshape(tf.matMul(tf.softmax(scores), v), [b, nh, 1, d]) as tf.Tensor4D;
  });
}

/** Invocations per workgroup of the decode-attention kernels (also the key chunk). */
export const DECODE_ATTENTION_WG = 256;
const WG = DECODE_ATTENTION_WG;

/** Head dims the kernel handles (vec4 lanes, at most one lane per invocation); others use the reference. */
function kernelSupports(d: number): boolean {
  return d % 4 === 0 && d / 4 <= WG;
}

/** Where a single-token attention kernel finds q, its keys, values and mask (see decodeAttentionWgsl). */
export interface DecodeAttentionWgslParts {
  /** Extra WGSL declarations (helper functions, workgroup arrays). */
  decls?: string;
  /**
   * Runs first in `main` (has `grp`, `tid`): defines `valid`, `S` (number of keys), `kBase` / `vBase` (vec4 offsets
   * of this (row, head)'s key 0 / value 0), `biasBase` (offset of its mask), and fills `qs[0..LANES)` with q as vec4s
   * (it may use workgroupBarrier()).
   */
  prologue: string;
  /** Names of the vec4 key and value arrays and of the scalar additive mask. */
  k: string;
  v: string;
  bias: string;
}

/**
 * WGSL of the single-token attention kernels: one workgroup of 256 invocations per (batch, head). Keys go in
 * chunks of 256: each invocation scores one key (vec4 dot product) into shared memory; then invocation (subset,
 * lane) folds keys subset, subset + subsets, ... of the chunk into its own online softmax (running max, sum, vec4
 * of output dims `lane`); the subsets' partial results are merged at the end and written to result[(grp, dims)].
 * No per-chunk reductions: two barriers per chunk. Scores are scaled by `uniforms.scale`.
 */
export function decodeAttentionWgsl(lanes: number, parts: DecodeAttentionWgslParts): string {
  const subsets = Math.floor(WG / lanes);
  const { k, v, bias } = parts;
  return `
    const WG = ${WG};
    const LANES = ${lanes};
    const SUBSETS = ${subsets};
    var<workgroup> qs : array<vec4<f32>, ${lanes}>;
    var<workgroup> ps : array<f32, ${WG}>;
    var<workgroup> accS : array<vec4<f32>, ${WG}>;
    var<workgroup> mS : array<f32, ${subsets}>;
    var<workgroup> lS : array<f32, ${subsets}>;
    ${parts.decls ?? ''}
    fn main(index : i32) {
      let grp = index / WG;
      let tid = index - grp * WG;
      let lane = tid % LANES;
      let sub = tid / LANES;
      ${parts.prologue}
      workgroupBarrier();
      var m = -${F32_MAX};
      var l = 0.0;
      var acc = vec4<f32>(0.0);
      for (var c0 = 0; c0 < S; c0 += WG) {
        let key = c0 + tid;
        var sc = -${F32_MAX};
        if (valid && key < S) {
          let kRow = kBase + key * LANES;
          var dotv = vec4<f32>(0.0);
          for (var i = 0; i < LANES; i++) { dotv += qs[i] * ${k}[kRow + i]; }
          sc = (dotv.x + dotv.y + dotv.z + dotv.w) * uniforms.scale + ${bias}[biasBase + key];
        }
        ps[tid] = sc;
        workgroupBarrier();
        let cnt = min(WG, S - c0);
        if (valid && sub < SUBSETS) {
          for (var j = sub; j < cnt; j += SUBSETS) {
            let x = ps[j];
            let mNew = max(m, x);
            let r = exp(m - mNew);
            let p = exp(x - mNew);
            acc = acc * r + p * ${v}[vBase + (c0 + j) * LANES + lane];
            l = l * r + p;
            m = mNew;
          }
        }
        workgroupBarrier();
      }
      if (sub < SUBSETS) {
        accS[tid] = acc;
        if (lane == 0) { mS[sub] = m; lS[sub] = l; }
      }
      workgroupBarrier();
      if (valid && tid < LANES) {
        var mAll = -${F32_MAX};
        for (var s = 0; s < SUBSETS; s++) { mAll = max(mAll, mS[s]); }
        var lAll = 0.0;
        var out = vec4<f32>(0.0);
        for (var s = 0; s < SUBSETS; s++) {
          let w = exp(mS[s] - mAll);
          lAll += lS[s] * w;
          out += accS[s * LANES + tid] * w;
        }
        out = out / lAll;
        let o = (grp * LANES + tid) * 4;
        result[o] = out.x;
        result[o + 1] = out.y;
        result[o + 2] = out.z;
        result[o + 3] = out.w;
      }
    }`;
}

function decodeAttentionProgram(b: number, nh: number, d: number) {
  return {
    ...flatProgram(
      {
        variableNames: ['q', 'k', 'v', 'bias'],
        outputShape: [b, nh, 1, d],
        shaderKey: `magicDecodeAttention_${WG}_${d}`,
        uniforms: 'scale : f32, ',
        getUserCode: () =>
          decodeAttentionWgsl(d / 4, {
            prologue: `
      let nb = uniforms.qShape[0];
      let nh = uniforms.qShape[1];
      let kvh = uniforms.kShape[1];
      let S = uniforms.kShape[2];
      let valid = grp < nb * nh;
      let b = grp / nh;
      let h = grp - b * nh;
      let g = h / (nh / kvh);
      let kBase = (b * kvh + g) * S * LANES;   // in vec4s
      let vBase = kBase;
      let biasBase = b * S;
      if (valid && tid < LANES) { qs[tid] = q[grp * LANES + tid]; }`,
            k: 'k',
            v: 'v',
            bias: 'bias',
          }),
      },
      b * nh,
      WG,
    ),
    // q, k, v read as vec4<f32>; bias and the output stay scalar.
    variableComponents: [4, 4, 4, 1],
  };
}

function check(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor): void {
  const fail = (m: string) => {
    throw new FusedOpError('decodeAttention', m);
  };
  if (q.rank !== 4 || q.shape[2] !== 1) fail(`q must be [B,heads,1,D], got [${q.shape}]`);
  const [b, nh, , d] = q.shape as [number, number, number, number];
  if (k.rank !== 4 || k.shape[0] !== b || k.shape[3] !== d) fail(`k must be [${b},kvHeads,S,${d}], got [${k.shape}]`);
  const [, kvh, s] = k.shape as [number, number, number, number];
  if (nh % kvh !== 0) fail(`heads ${nh} must be a multiple of kv heads ${kvh}`);
  if (v.rank !== 4 || v.shape.some((x, i) => x !== k.shape[i])) fail(`v [${v.shape}] must match k [${k.shape}]`);
  const want = [b, 1, 1, s];
  if (bias.rank !== 4 || bias.shape.some((x, i) => x !== want[i])) fail(`bias must be [${want}], got [${bias.shape}]`);
  for (const [n, t] of [
    ['q', q],
    ['k', k],
    ['v', v],
    ['bias', bias],
  ] as const) {
    if (t.dtype !== 'float32') fail(`${n} must be float32, got ${t.dtype}`);
  }
}

/**
 * Single-token (decode) attention with grouped kv heads: q [B,heads,1,D], k/v [B,kvHeads,S,D] (the cache),
 * bias [B,1,1,S] additive mask (0 visible, -1e9 hidden) -> [B,heads,1,D]; head h reads kv head
 * floor(h / (heads / kvHeads)). WebGPU (head dim a multiple of 4, at most 1024): one dispatch, one workgroup
 * per (batch, head), online softmax. Other backends and head dims: the reference. No gradient (inference only).
 */
export function decodeAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor4D,
  scale: number,
): tf.Tensor4D {
  check(q, k, v, bias);
  const [b, nh, , d] = q.shape;
  if (!onWebGpu() || !kernelSupports(d)) return decodeAttentionReference(q, k, v, bias, scale);
  return runProgram<tf.Rank.R4>(decodeAttentionProgram(b, nh, d), [q, k, v, bias], 'float32', [
    { type: 'float32', data: [scale] },
  ]);
}
