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

const WG = 64;

/**
 * One workgroup per (batch, head): keys in chunks of WG (one score per invocation), online softmax
 * (running max and sum), each invocation accumulating output dims tid, tid + WG, ...
 */
function decodeAttentionProgram(b: number, nh: number, d: number) {
  const dpt = Math.ceil(d / WG);
  return flatProgram(
    {
      variableNames: ['q', 'k', 'v', 'bias'],
      outputShape: [b, nh, 1, d],
      shaderKey: `magicDecodeAttention_${WG}_${d}`,
      uniforms: 'scale : f32, ',
      getUserCode: () => `
    const WG = ${WG};
    const D = ${d};
    const DPT = ${dpt};
    var<workgroup> qs : array<f32, ${d}>;
    var<workgroup> ps : array<f32, ${WG}>;
    fn main(index : i32) {
      let grp = index / WG;
      let tid = index - grp * WG;
      let nb = uniforms.qShape[0];
      let nh = uniforms.qShape[1];
      let kvh = uniforms.kShape[1];
      let S = uniforms.kShape[2];
      let valid = grp < nb * nh;
      let b = grp / nh;
      let h = grp - b * nh;
      let g = h / (nh / kvh);
      let qBase = grp * D;
      let kvBase = (b * kvh + g) * S * D;
      let biasBase = b * S;
      if (valid) {
        for (var i = tid; i < D; i += WG) { qs[i] = q[qBase + i]; }
      }
      workgroupBarrier();
      var m = -${F32_MAX};
      var l = 0.0;
      var acc : array<f32, DPT>;
      for (var c0 = 0; c0 < S; c0 += WG) {
        let s = c0 + tid;
        var sc = -${F32_MAX};
        if (valid && s < S) {
          var dot = 0.0;
          let kRow = kvBase + s * D;
          for (var i = 0; i < D; i++) { dot += qs[i] * k[kRow + i]; }
          sc = dot * uniforms.scale + bias[biasBase + s];
        }
        ps[tid] = sc;
        workgroupBarrier();
        var cm = -${F32_MAX};
        for (var j = 0; j < WG; j++) { cm = max(cm, ps[j]); }
        let nm = max(m, cm);
        let factor = exp(m - nm);
        workgroupBarrier();
        var p = 0.0;
        if (s < S) { p = exp(sc - nm); }
        ps[tid] = p;
        workgroupBarrier();
        l = l * factor;
        for (var i = 0; i < DPT; i++) { acc[i] = acc[i] * factor; }
        let cnt = min(WG, S - c0);
        if (valid) {
          for (var j = 0; j < cnt; j++) {
            let pj = ps[j];
            l += pj;
            let vRow = kvBase + (c0 + j) * D;
            for (var i = 0; i < DPT; i++) {
              let dd = tid + i * WG;
              if (dd < D) { acc[i] += pj * v[vRow + dd]; }
            }
          }
        }
        m = nm;
        workgroupBarrier();
      }
      if (valid) {
        for (var i = 0; i < DPT; i++) {
          let dd = tid + i * WG;
          if (dd < D) { result[qBase + dd] = acc[i] / l; }
        }
      }
    }`,
    },
    b * nh,
    WG,
  );
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
 * floor(h / (heads / kvHeads)). WebGPU: one dispatch, one workgroup per (batch, head), online softmax.
 * Other backends: the reference. No gradient (inference only).
 */
export function decodeAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor4D,
  scale: number,
): tf.Tensor4D {
  check(q, k, v, bias);
  if (!onWebGpu()) return decodeAttentionReference(q, k, v, bias, scale);
  const [b, nh, , d] = q.shape;
  return runProgram<tf.Rank.R4>(decodeAttentionProgram(b, nh, d), [q, k, v, bias], 'float32', [
    { type: 'float32', data: [scale] },
  ]);
}
