import { at, defined } from '@magic/core';
import {
  decodeAttention,
  embeddingGradient,
  fusedRmsNorm,
  fusedRopeAt,
  fusedSwiGlu,
  packedSwiGlu,
} from '@magic/tensor/kernels';
import { maxStorageBindingBytes } from '@magic/tensor/webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { chunksOf } from './chunks.js';
import type { Qwen2Config } from './config.js';
import { sumTensors } from './sum-tensors.js';
import type { LayerWeights, ModelWeights } from './weights.js';

/** Per-layer cached keys/values, [batch, kvHeads, cachedLen, headDim]. */
export interface KvCache {
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
}

export const NEG = -1e9;

/**
 * x·wᵀ (+ a bias [out], or + a residual [B,T,out]). On WebGPU one fused matmul (the add happens in
 * the matmul's epilogue: one dispatch). Elsewhere matmul + add: tfjs-wasm 4.22's fused matmul adds
 * the bias wrongly with transposeB, and takes only rank-1 biases.
 */
export function linear(x: tf.Tensor3D, w: tf.Tensor, add?: tf.Tensor): tf.Tensor3D {
  const [bs, t, d] = x.shape;
  const out = at(w.shape, 0, 'weight shape');
  const a = tf.reshape(x, [bs * t, d]);
  if (add && tf.getBackend() === 'webgpu') {
    // A residual goes in as [1, B*T, out], the shape tfjs' fused matMul gives its output inside: with [B*T, out]
    // its gradient summed over that size-1 axis (a ReduceProgram copy per call).
    const bias = add.rank === 1 ? add : tf.reshape(add, [1, bs * t, out]);
    return tf.reshape(tf.fused.matMul({ a, b: w as tf.Tensor2D, transposeB: true, bias }), [bs, t, out]);
  }
  const y = tf.reshape(tf.matMul(a, w as tf.Tensor2D, false, true), [bs, t, out]) as tf.Tensor3D;
  return add ? (tf.add(y, add) as tf.Tensor3D) : y;
}

/** Rotary embedding at integer positions (cos/sin computed in the kernel on WebGPU, range-reduced). */
function applyRope(x: tf.Tensor4D, ctx: AttentionCtx): tf.Tensor4D {
  return fusedRopeAt(x, ctx.positions, ctx.cfg.ropeTheta);
}

/** [B,T,heads*D] -> [B,heads,T,D] (a reshape when T = 1: no transpose dispatch while decoding). */
function splitHeads(x: tf.Tensor3D, heads: number, d: number): tf.Tensor4D {
  const [b, t] = x.shape;
  if (t === 1) return tf.reshape(x, [b, heads, 1, d]);
  return tf.transpose(tf.reshape(x, [b, t, heads, d]), [0, 2, 1, 3]);
}

/** [B,heads,T,D] -> [B,T,heads*D] */
function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [b, heads, t, d] = x.shape;
  if (t === 1) return tf.reshape(x, [b, 1, heads * d]);
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, t, heads * d]);
}

interface AttentionCtx {
  cfg: Qwen2Config;
  /** Rotary positions [B,T] int32. */
  positions: tf.Tensor2D;
  /** Additive mask [B,1,T,S]. */
  bias: tf.Tensor4D;
  /** The same repeated for the query group, [B,1,group*T,S] (made once per forward, when T > 1). */
  groupBias?: tf.Tensor4D;
  /** ForwardOptions.packedMlp. */
  packedMlp: boolean;
}

/** Self-attention block; returns residual + attention output and the extended kv cache. */
function attention(
  x: tf.Tensor3D,
  residual: tf.Tensor3D,
  w: LayerWeights,
  ctx: AttentionCtx,
  past?: { k: tf.Tensor4D; v: tf.Tensor4D },
): { out: tf.Tensor3D; k: tf.Tensor4D; v: tf.Tensor4D } {
  const { numAttentionHeads: nh, numKeyValueHeads: kvh, headDim: d } = ctx.cfg;
  const [b, t] = x.shape;
  const group = nh / kvh;
  const q = applyRope(splitHeads(linear(x, w.qWeight, w.qBias), nh, d), ctx);
  let k = applyRope(splitHeads(linear(x, w.kWeight, w.kBias), kvh, d), ctx);
  let v = splitHeads(linear(x, w.vWeight, w.vBias), kvh, d);
  if (past) {
    k = tf.concat([past.k, k], 2);
    v = tf.concat([past.v, v], 2);
  }
  const scale = 1 / Math.sqrt(d);
  let ctxv: tf.Tensor4D;
  if (t === 1) {
    // Decode: one fused dispatch (grouped kv heads, softmax, weighted sum).
    ctxv = decodeAttention(q, k, v, ctx.bias, scale);
  } else {
    // GQA without repeating k/v: heads of one kv group stacked along the query axis. The scale goes on q
    // ([B,H,T,D]) rather than on the scores ([B,H,T,S]): one large multiply less, and backward keeps no
    // unscaled copy of the scores.
    const qg = tf.reshape(tf.mul(q, scale), [b, kvh, group * t, d]) as tf.Tensor4D;
    const bias = ctx.groupBias ?? ctx.bias;
    const rows = scoreRowsPerChunk(b, nh * t * k.shape[2]);
    const grouped = (qc: tf.Tensor4D, kc: tf.Tensor4D, vc: tf.Tensor4D, bc: tf.Tensor4D) =>
      tf.matMul(tf.softmax(tf.add(tf.matMul(qc, kc, false, true), bc)), vc) as tf.Tensor4D;
    const out =
      rows >= b
        ? grouped(qg, k, v, bias)
        : tf.concat(
            chunksOf(b, rows).map(([start, n]) =>
              grouped(rowsOf(qg, start, n), rowsOf(k, start, n), rowsOf(v, start, n), rowsOf(bias, start, n)),
            ),
            0,
          );
    ctxv = tf.reshape(out, [b, nh, t, d]);
  }
  return { out: linear(mergeHeads(ctxv), w.oWeight, residual), k, v };
}

/**
 * Batch rows per attention chunk: all of them unless one [rows, heads, T, S] score tensor would exceed the device's
 * largest storage binding (128 MiB on the software adapter: 16 x 4 heads x 783^2 scores failed validation there).
 */
function scoreRowsPerChunk(b: number, scoresPerRow: number): number {
  const limit = maxStorageBindingBytes();
  return Math.max(1, Math.min(b, Math.floor(limit / (scoresPerRow * 4))));
}

/** Rows [start, start + n) of a rank-4 tensor (a broadcast batch of 1 is kept whole). */
function rowsOf(x: tf.Tensor4D, start: number, n: number): tf.Tensor4D {
  if (x.shape[0] === 1) return x;
  return tf.slice(x, [start, 0, 0, 0], [n, -1, -1, -1]);
}

/**
 * SwiGLU MLP block; returns residual + MLP output. On WebGPU, for more than one token, gate and up are one
 * matmul of the concatenated weights ([rows, 2I]: the larger GEMM runs faster) and one packed SwiGLU; the concat's
 * gradient splits back into the two weights.
 * `packed` false keeps two matmuls (benchmark comparisons).
 */
function mlp(x: tf.Tensor3D, residual: tf.Tensor3D, w: LayerWeights, packed: boolean): tf.Tensor3D {
  const act =
    tf.getBackend() === 'webgpu' && x.shape[1] > 1 && packed
      ? packedSwiGlu(linear(x, tf.concat([w.gateWeight, w.upWeight], 0)))
      : fusedSwiGlu(linear(x, w.gateWeight), linear(x, w.upWeight));
  return linear(act, w.downWeight, residual);
}

/**
 * Additive attention bias [B,1,T,S] for T new queries over S = past + T keys:
 * key s is visible to query t when keyMask[b][s] = 1 and s <= past + t.
 */
export function attentionBias(keyMask: number[][], newLen: number): tf.Tensor4D {
  const b = keyMask.length;
  const s = at(keyMask, 0, 'keyMask').length;
  const past = s - newLen;
  const data = new Float32Array(b * newLen * s);
  for (const [i, row] of keyMask.entries()) {
    for (let t = 0; t < newLen; t++) {
      for (let j = 0; j < s; j++) data[(i * newLen + t) * s + j] = row[j] === 1 && j <= past + t ? 0 : NEG;
    }
  }
  return tf.tensor4d(data, [b, 1, newLen, s]);
}

/** Rows per chunk of the embedding gradient's one-hot matmul (keeps each one-hot below 2^26 elements). */
function oneHotRows(vocab: number): number {
  return Math.max(1, Math.floor((1 << 26) / vocab));
}

/**
 * Embedding lookup with its own gradient: on WebGPU @magic/tensor's scatter-add (`embeddingGradient`, one
 * [vocab, H] buffer instead of ~10 vocab x H partial sums of one-hot chunks per GRPO micro-batch),
 * elsewhere a chunked one-hot matmul instead of tfjs' gather gradient (UnsortedSegmentSum, which is
 * O(vocab x tokens) on the cpu backend).
 */
export function embedLookup(embed: tf.Tensor, ids: tf.Tensor2D): tf.Tensor3D {
  const [b, t] = ids.shape;
  const [vocab, h] = embed.shape as [number, number];
  const flat = tf.reshape(tf.cast(ids, 'int32'), [b * t]) as tf.Tensor1D;
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [e, i, save] = args as [tf.Tensor, tf.Tensor1D, tf.GradSaveFunc];
    save([i]);
    return {
      value: tf.gather(e, i),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const idx = saved[0] as tf.Tensor1D;
        if (tf.getBackend() === 'webgpu') return [embeddingGradient(dy as tf.Tensor2D, idx, vocab), tf.zerosLike(idx)];
        const n = idx.shape[0];
        const rows = oneHotRows(vocab);
        const parts: tf.Tensor[] = [];
        for (let s = 0; s < n; s += rows) {
          const size = Math.min(rows, n - s);
          const oh = tf.cast(tf.oneHot(tf.slice(idx, [s], [size]), vocab), 'float32');
          parts.push(tf.matMul(oh, tf.slice(dy as tf.Tensor2D, [s, 0], [size, h]), true, false));
        }
        return [sumTensors(parts), tf.zerosLike(idx)];
      },
    };
  });
  return tf.reshape(lookup(embed, flat), [b, t, h]) as tf.Tensor3D;
}

export interface ForwardInput {
  ids: tf.Tensor2D;
  positions: tf.Tensor2D;
  /** attentionBias(...) for these ids, [B,1,T,S]. */
  bias: tf.Tensor4D;
  cache?: KvCache;
}

/** Decoder stack: final-normed hidden states [B,T,H] and the extended KV cache (when `withCache`). */
export interface ForwardOptions {
  /** Return each layer's keys/values (prefill for decoding). */
  withCache?: boolean;
  /**
   * Gradient checkpointing: each decoder layer keeps only its input for backward and recomputes its forward
   * there (verl/HF `gradient_checkpointing`): activations of one layer at a time instead of all layers, for about
   * one more forward pass of compute. Ignored with `withCache`.
   */
  checkpoint?: boolean;
  /**
   * On WebGPU, gate and up projections as one matmul of the concatenated weights (default true; false keeps two
   * matmuls, for benchmark comparisons).
   */
  packedMlp?: boolean;
}

/** One decoder layer: pre-norm attention and MLP with residuals; the layer's keys/values too. */
function decoderLayer(
  h: tf.Tensor3D,
  layer: LayerWeights,
  ctx: AttentionCtx,
  past?: { k: tf.Tensor4D; v: tf.Tensor4D },
): { out: tf.Tensor3D; k: tf.Tensor4D; v: tf.Tensor4D } {
  const { rmsNormEps: eps } = ctx.cfg;
  const att = attention(fusedRmsNorm(h, layer.inputNorm, eps), h, layer, ctx, past);
  const out = mlp(fusedRmsNorm(att.out, layer.postNorm, eps), att.out, layer, ctx.packedMlp);
  return { out, k: att.k, v: att.v };
}

const LAYER_KEYS = [
  'inputNorm',
  'qWeight',
  'qBias',
  'kWeight',
  'kBias',
  'vWeight',
  'vBias',
  'oWeight',
  'postNorm',
  'gateWeight',
  'upWeight',
  'downWeight',
] as const satisfies readonly (keyof LayerWeights)[];

interface EngineTapeState {
  state: { activeTape: unknown };
}

/**
 * tf.grads called inside a backward pass (by a custom gradient). tfjs' gradients() starts its own tape and, being
 * at gradient depth 0 again, sets the engine's active tape to null when done — which the outer backward pass then
 * reads to free its saved tensors. The outer tape is put back afterwards; the inner tape's saved tensors are freed
 * by the inner call as usual.
 */
function nestedGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const engine = tf.engine() as unknown as EngineTapeState;
  const outer = engine.state.activeTape;
  try {
    return tf.grads(f)(xs, dy);
  } finally {
    engine.state.activeTape = outer;
  }
}

/**
 * A decoder layer whose backward recomputes its forward: the custom gradient saves the layer input and the
 * attention context only; in backward, tf.grads of the recomputed layer gives d(input) and d(weights).
 */
function checkpointedLayer(h: tf.Tensor3D, layer: LayerWeights, ctx: AttentionCtx): tf.Tensor3D {
  const weights = LAYER_KEYS.map((k) => layer[k] as tf.Tensor);
  const asLayer = (ws: tf.Tensor[]) =>
    Object.fromEntries(LAYER_KEYS.map((k, i) => [k, ws[i]])) as unknown as LayerWeights;
  const context = [ctx.positions, ctx.bias, ...(ctx.groupBias ? [ctx.groupBias] : [])];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [input, ...ws] = args.slice(0, -1) as tf.Tensor[];
    const x = defined(input, 'layer input');
    save([x, ...ws, ...context]);
    return {
      value: decoderLayer(x as tf.Tensor3D, asLayer(ws), ctx).out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedInput, ...rest] = saved;
        const xs = defined(savedInput, 'saved layer input');
        const ws2 = rest.slice(0, LAYER_KEYS.length);
        const [positions, bias, groupBias] = rest.slice(LAYER_KEYS.length) as [tf.Tensor2D, tf.Tensor4D, tf.Tensor4D?];
        const ctx2: AttentionCtx = { cfg: ctx.cfg, positions, bias, groupBias, packedMlp: ctx.packedMlp };
        const f = (...inputs: tf.Tensor[]) =>
          decoderLayer(inputs[0] as tf.Tensor3D, asLayer(inputs.slice(1)), ctx2).out;
        return nestedGrads(f, [xs, ...ws2], dy);
      },
    };
  });
  return op(h, ...weights) as tf.Tensor3D;
}

/** Decoder stack: final-normed hidden states [B,T,H] and the extended KV cache (when `withCache`). */
export function forwardHidden(
  w: ModelWeights,
  cfg: Qwen2Config,
  input: ForwardInput,
  opts: ForwardOptions | boolean = {},
): { hidden: tf.Tensor3D; cache?: KvCache } {
  const {
    withCache = false,
    checkpoint = false,
    packedMlp = true,
  } = typeof opts === 'boolean' ? { withCache: opts } : opts;
  const group = cfg.numAttentionHeads / cfg.numKeyValueHeads;
  const t = input.ids.shape[1];
  const positions = tf.cast(input.positions, 'int32') as tf.Tensor2D;
  const ctx: AttentionCtx = { cfg, positions, bias: input.bias, packedMlp };
  if (t > 1 && group > 1) ctx.groupBias = tf.tile(input.bias, [1, 1, group, 1]);
  let h = embedLookup(w.embed, input.ids);
  const cache: KvCache = { k: [], v: [] };
  w.layers.forEach((layer, i) => {
    if (checkpoint && !withCache && !input.cache) {
      h = checkpointedLayer(h, layer, ctx);
      return;
    }
    const past = input.cache
      ? { k: at(input.cache.k, i, 'kv cache keys'), v: at(input.cache.v, i, 'kv cache values') }
      : undefined;
    const out = decoderLayer(h, layer, ctx, past);
    h = out.out;
    cache.k.push(out.k);
    cache.v.push(out.v);
  });
  const hidden = fusedRmsNorm(h, w.norm, cfg.rmsNormEps);
  return withCache ? { hidden, cache } : { hidden };
}

export function headWeight(w: ModelWeights): tf.Variable {
  return w.lmHead ?? w.embed;
}

/** Logits [N,V] of hidden rows [N,H] through a head [V,H]. */
export function headLogits(rows: tf.Tensor2D, head: tf.Tensor): tf.Tensor2D {
  return tf.matMul(rows, head as tf.Tensor2D, false, true);
}

/** Logits [N,V] for hidden rows [N,H]. */
export function logitsOf(w: ModelWeights, rows: tf.Tensor2D): tf.Tensor2D {
  return headLogits(rows, headWeight(w));
}
