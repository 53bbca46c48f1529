import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { DECODE_ATTENTION_WG, decodeAttentionReference, decodeAttentionWgsl } from './decode-attention.js';
import { inverseFrequencies, ROPE_CS_WGSL, ropeAtReference } from './rope-at.js';
import { FusedOpError, flatProgram, onWebGpu, runInPlace, runProgram } from './webgpu-program.js';

/**
 * A preallocated key/value cache for decoding: one tensor [2B, kvHeads, maxLen, D] per layer (keys in
 * rows 0..B-1, values in rows B..2B-1; rank 4 because tfjs' WebGPU shaders stop at rank 4) that decode steps write in place on WebGPU, so a step needs no concat.
 *
 * Layout of the packed projection `qkv` [B, (heads + 2 kvHeads) D] (one matmul of the concatenated q/k/v
 * weights): queries, then keys, then values, head-major.
 */
export interface PackedAttentionShape {
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  /** RoPE base. */
  theta: number;
  /**
   * Optional precomputed 1 / theta^(2i/D), i < D/2 (`ropeInverseFrequencies`), reused across calls: saves an
   * upload per dispatch in a decode loop. Made per call when absent.
   */
  invFreq?: tf.Tensor1D;
}

/** 1 / theta^(2i/D) for i < D/2 as a tensor (for PackedAttentionShape.invFreq). */
export function ropeInverseFrequencies(headDim: number, theta: number): tf.Tensor1D {
  return tf.tensor1d(inverseFrequencies(headDim, theta));
}

/** Keys/values [B, kvHeads, T, D] of a prefill, padded to `maxLen` positions: the cache decode steps write into. */
export function createKvCache(k: tf.Tensor4D, v: tf.Tensor4D, maxLen: number): tf.Tensor4D {
  const t = k.shape[2];
  if (maxLen < t) throw new FusedOpError('createKvCache', `maxLen ${maxLen} < prefill length ${t}`);
  return tf.tidy(
    () =>
      tf.pad(tf.concat([k, v], 0), [
        [0, 0],
        [0, 0],
        [0, maxLen - t],
        [0, 0],
      ]) as tf.Tensor4D,
  );
}

function checkPacked(
  op: string,
  qkv: tf.Tensor2D,
  positions: tf.Tensor1D,
  cache: tf.Tensor4D,
  s: PackedAttentionShape,
) {
  const { numHeads: nh, numKvHeads: kvh, headDim: d } = s;
  const b = qkv.shape[0];
  if (nh % kvh !== 0) throw new FusedOpError(op, `heads ${nh} not a multiple of kv heads ${kvh}`);
  if (qkv.rank !== 2 || qkv.shape[1] !== (nh + 2 * kvh) * d) {
    throw new FusedOpError(op, `qkv must be [B, ${(nh + 2 * kvh) * d}], got [${qkv.shape}]`);
  }
  if (positions.rank !== 1 || positions.shape[0] !== b || positions.dtype !== 'int32') {
    throw new FusedOpError(op, `positions must be int32 [${b}], got ${positions.dtype} [${positions.shape}]`);
  }
  const [cb, ckv, , cd] = cache.shape;
  if (cache.rank !== 4 || cb !== 2 * b || ckv !== kvh || cd !== d) {
    throw new FusedOpError(op, `cache must be [${2 * b}, ${kvh}, maxLen, ${d}], got [${cache.shape}]`);
  }
  if (qkv.dtype !== 'float32' || cache.dtype !== 'float32') throw new FusedOpError(op, 'qkv and cache must be float32');
}

/** Splits qkv [B, (nh + 2 kvh) D] into q [B,nh,1,D], k and v [B,kvh,1,D]. */
function splitQkv(qkv: tf.Tensor2D, s: PackedAttentionShape): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const { numHeads: nh, numKvHeads: kvh, headDim: d } = s;
  const b = qkv.shape[0];
  const [q, k, v] = tf.split(qkv, [nh * d, kvh * d, kvh * d], 1);
  return [
    tf.reshape(defined(q, 'q split'), [b, nh, 1, d]) as tf.Tensor4D,
    tf.reshape(defined(k, 'k split'), [b, kvh, 1, d]) as tf.Tensor4D,
    tf.reshape(defined(v, 'v split'), [b, kvh, 1, d]) as tf.Tensor4D,
  ];
}

/** Unfused reference of writeKvCache: a new cache with position `slot` replaced. */
export function writeKvCacheReference(
  cache: tf.Tensor4D,
  qkv: tf.Tensor2D,
  positions: tf.Tensor1D,
  slot: number,
  s: PackedAttentionShape,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b2, kvh, maxLen, d] = cache.shape;
    const b = b2 / 2;
    const [, k, v] = splitQkv(qkv, s);
    const kr = ropeAtReference(k, tf.reshape(positions, [b, 1]) as tf.Tensor2D, s.theta);
    const fresh = tf.concat([kr, v], 0);
    const parts: tf.Tensor[] = [];
    if (slot > 0) parts.push(tf.slice(cache, [0, 0, 0, 0], [b2, kvh, slot, d]));
    parts.push(fresh);
    if (slot + 1 < maxLen) parts.push(tf.slice(cache, [0, 0, slot + 1, 0], [b2, kvh, maxLen - slot - 1, d]));
    return tf.concat(parts, 2) as tf.Tensor4D;
  });
}

/**
 * A decode position on the device: int32 [1] (a decode loop replayed as a dispatch graph rewrites it between
 * steps instead of recompiling uniforms).
 */
export type DevicePosition = tf.Tensor1D;

function checkDevicePosition(op: string, name: string, t: DevicePosition): void {
  if (t.rank !== 1 || t.size !== 1 || t.dtype !== 'int32') {
    throw new FusedOpError(op, `${name} tensor must be int32 [1], got ${t.dtype} [${t.shape}]`);
  }
}

/** A position's value on the host (the unfused references slice with it; not on WebGPU: no synchronous read). */
function hostPosition(p: number | DevicePosition): number {
  return typeof p === 'number' ? p : at(p.dataSync(), 0, 'position value');
}

function writeKvProgram(b: number, kvh: number, d: number, deviceSlot: boolean) {
  const n = b * kvh * d;
  const wg = 64;
  return flatProgram(
    {
      variableNames: deviceSlot ? ['qkv', 'pos', 'invFreq', 'slotAt'] : ['qkv', 'pos', 'invFreq'],
      outputShape: [2 * b, kvh, 1, d],
      shaderKey: `magicWriteKvCache_${d}_${kvh}${deviceSlot ? '_dev' : ''}`,
      uniforms: 'slot : i32, numHeads : i32, maxLen : i32, ',
      getUserCode: () => `
    ${ROPE_CS_WGSL}
    fn main(index : i32) {
      let nb = uniforms.qkvShape[0];
      let width = uniforms.qkvShape[1];
      let d = ${d};
      let kvh = ${kvh};
      let half = d / 2;
      if (index >= nb * kvh * d) { return; }
      let slot = ${deviceSlot ? 'slotAt[0]' : 'uniforms.slot'};
      let i = index % d;
      let g = (index / d) % kvh;
      let b = index / (d * kvh);
      let kBase = b * width + uniforms.numHeads * d + g * d;
      let vBase = b * width + (uniforms.numHeads + kvh) * d + g * d;
      let cs = ropeCs(pos[b], invFreq[i % half]);
      var rot : f32;
      if (i < half) { rot = -qkv[kBase + i + half]; } else { rot = qkv[kBase + i - half]; }
      let kOut = ((b * kvh + g) * uniforms.maxLen + slot) * d + i;
      let vOut = (((nb + b) * kvh + g) * uniforms.maxLen + slot) * d + i;
      result[kOut] = qkv[kBase + i] * cs.x + rot * cs.y;
      result[vOut] = qkv[vBase + i];
    }`,
    },
    Math.ceil(n / wg),
    wg,
  );
}

/**
 * Writes the new token's rotary-embedded key and its value (from the packed projection qkv) into `cache` at
 * position `slot`, for every batch row (positions [B] int32 are the rotary positions). `slot` is a number or a
 * DevicePosition (int32 [1] read by the kernel). WebGPU: one dispatch, in place; returns `cache` itself. Other
 * backends, or a cache whose buffer another tensor shares: returns a new tensor (the caller disposes the old one).
 */
export function writeKvCache(
  cache: tf.Tensor4D,
  qkv: tf.Tensor2D,
  positions: tf.Tensor1D,
  slot: number | DevicePosition,
  s: PackedAttentionShape,
): tf.Tensor4D {
  checkPacked('writeKvCache', qkv, positions, cache, s);
  const maxLen = cache.shape[2];
  const device = typeof slot !== 'number';
  if (device) checkDevicePosition('writeKvCache', 'slot', slot);
  if (!device && (!Number.isInteger(slot) || slot < 0 || slot >= maxLen)) {
    throw new FusedOpError('writeKvCache', `slot ${slot} outside [0, ${maxLen})`);
  }
  if (!onWebGpu()) return writeKvCacheReference(cache, qkv, positions, hostPosition(slot), s);
  const [b2, kvh, , d] = cache.shape;
  const inv = s.invFreq ?? tf.tensor1d(inverseFrequencies(d, s.theta));
  try {
    const inputs = device ? [qkv, positions, inv, slot] : [qkv, positions, inv];
    const done = runInPlace(writeKvProgram(b2 / 2, kvh, d, device), inputs, cache, [
      { type: 'int32', data: [device ? 0 : slot] },
      { type: 'int32', data: [s.numHeads] },
      { type: 'int32', data: [maxLen] },
    ]);
    if (done) return cache;
    // a cache that shares its buffer with another tensor is not written in place
    if (device) {
      // (the functional write needs the slot on the host, and WebGPU has no synchronous read in Node)
      throw new FusedOpError('writeKvCache', 'a device slot needs a cache it can write in place (this one is shared)');
    }
    return writeKvCacheReference(cache, qkv, positions, slot, s);
  } finally {
    if (inv !== s.invFreq) inv.dispose();
  }
}

/** Unfused reference of packedDecodeAttention. */
export function packedDecodeAttentionReference(
  qkv: tf.Tensor2D,
  positions: tf.Tensor1D,
  cache: tf.Tensor4D,
  padBias: tf.Tensor2D,
  length: number,
  s: PackedAttentionShape,
): tf.Tensor2D {
  return tf.tidy(() => {
    const { numHeads: nh, numKvHeads: kvh, headDim: d } = s;
    const b = qkv.shape[0];
    const [q] = splitQkv(qkv, s);
    const qr = ropeAtReference(q, tf.reshape(positions, [b, 1]) as tf.Tensor2D, s.theta);
    const k = tf.slice(cache, [0, 0, 0, 0], [b, kvh, length, d]);
    const v = tf.slice(cache, [b, 0, 0, 0], [b, kvh, length, d]);
    const bias = tf.reshape(tf.slice(padBias, [0, 0], [b, length]), [b, 1, 1, length]) as tf.Tensor4D;
    return tf.reshape(decodeAttentionReference(qr, k, v, bias, 1 / Math.sqrt(d)), [b, nh * d]) as tf.Tensor2D;
  });
}

function packedAttentionProgram(b: number, nh: number, kvh: number, d: number, deviceLength: boolean) {
  return {
    ...flatProgram(
      {
        variableNames: ['qkv', 'pos', 'invFreq', 'cache', 'padBias', ...(deviceLength ? ['lengthAt'] : [])],
        outputShape: [b, nh * d],
        shaderKey: `magicPackedDecodeAttention_${DECODE_ATTENTION_WG}_${d}_${kvh}${deviceLength ? '_dev' : ''}`,
        uniforms: 'scale : f32, len : i32, maxLen : i32, numHeads : i32, ',
        getUserCode: () =>
          decodeAttentionWgsl(d / 4, {
            decls: `
    ${ROPE_CS_WGSL}
    const D = ${d};
    const KVH = ${kvh};
    var<workgroup> qsc : array<f32, ${d}>;`,
            prologue: `
      let nb = uniforms.qkvShape[0];
      let width = uniforms.qkvShape[1];
      let nh = uniforms.numHeads;
      let S = ${deviceLength ? 'lengthAt[0]' : 'uniforms.len'};
      let valid = grp < nb * nh;
      let b = grp / nh;
      let h = grp - b * nh;
      let g = h / (nh / KVH);
      // q of head h with rotary embedding, into shared memory, then as vec4s
      if (valid && tid < D) {
        let qBase = b * width + h * D;
        let half = D / 2;
        let cs = ropeCs(pos[b], invFreq[tid % half]);
        var rot : f32;
        if (tid < half) { rot = -qkv[qBase + tid + half]; } else { rot = qkv[qBase + tid - half]; }
        qsc[tid] = qkv[qBase + tid] * cs.x + rot * cs.y;
      }
      workgroupBarrier();
      if (tid < LANES) { qs[tid] = vec4<f32>(qsc[4 * tid], qsc[4 * tid + 1], qsc[4 * tid + 2], qsc[4 * tid + 3]); }
      let kBase = (b * KVH + g) * uniforms.maxLen * LANES;            // in vec4s
      let vBase = ((nb + b) * KVH + g) * uniforms.maxLen * LANES;
      let biasBase = b * uniforms.maxLen;`,
            k: 'cache',
            v: 'cache',
            bias: 'padBias',
          }),
      },
      b * nh,
      DECODE_ATTENTION_WG,
    ),
    // the cache is read as vec4<f32>; everything else is scalar.
    variableComponents: deviceLength ? [1, 1, 1, 4, 1, 1] : [1, 1, 1, 4, 1],
  };
}

/**
 * Attention of one new token per row over the first `length` cached positions: q taken from the packed
 * projection qkv (rotary-embedded at `positions` inside the kernel), keys/values from `cache`
 * [2B,kvHeads,maxLen,D], additive `padBias` [B, maxLen] (0 visible, -1e9 for prompt padding); grouped kv
 * heads. `length` is a number or a DevicePosition (int32 [1] read by the kernel). Returns [B, heads * D] (heads
 * merged, ready for the output projection). WebGPU: one dispatch, one workgroup per (row, head), online softmax.
 * Other backends: the reference. Inference only.
 */
export function packedDecodeAttention(
  qkv: tf.Tensor2D,
  positions: tf.Tensor1D,
  cache: tf.Tensor4D,
  padBias: tf.Tensor2D,
  length: number | DevicePosition,
  s: PackedAttentionShape,
): tf.Tensor2D {
  checkPacked('packedDecodeAttention', qkv, positions, cache, s);
  const [b2, kvh, maxLen, d] = cache.shape;
  const b = b2 / 2;
  const device = typeof length !== 'number';
  if (device) checkDevicePosition('packedDecodeAttention', 'length', length);
  if (!device && (!Number.isInteger(length) || length < 1 || length > maxLen)) {
    throw new FusedOpError('packedDecodeAttention', `length ${length} outside [1, ${maxLen}]`);
  }
  if (padBias.rank !== 2 || padBias.shape[0] !== b || padBias.shape[1] !== maxLen) {
    throw new FusedOpError('packedDecodeAttention', `padBias must be [${b}, ${maxLen}], got [${padBias.shape}]`);
  }
  if (!onWebGpu() || d % 4 !== 0 || d > DECODE_ATTENTION_WG) {
    if (device && onWebGpu()) {
      throw new FusedOpError('packedDecodeAttention', `a device length needs the fused kernel (head dim ${d})`);
    }
    return packedDecodeAttentionReference(qkv, positions, cache, padBias, hostPosition(length), s);
  }
  const inv = s.invFreq ?? tf.tensor1d(inverseFrequencies(d, s.theta));
  try {
    return runProgram<tf.Rank.R2>(
      packedAttentionProgram(b, s.numHeads, kvh, d, device),
      device ? [qkv, positions, inv, cache, padBias, length] : [qkv, positions, inv, cache, padBias],
      'float32',
      [
        { type: 'float32', data: [1 / Math.sqrt(d)] },
        { type: 'int32', data: [device ? 0 : length] },
        { type: 'int32', data: [maxLen] },
        { type: 'int32', data: [s.numHeads] },
      ],
    );
  } finally {
    if (inv !== s.invFreq) inv.dispose();
  }
}
