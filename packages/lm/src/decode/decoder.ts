import { defined } from '@magic/core';
import { type SampledTokens, sampleTokens } from '@magic/tensor/kernels';
import * as tf from '@tensorflow/tfjs-core';
import type { Qwen2Config } from '../config.js';
import { attentionBias, forwardHidden, type KvCache, logitsOf } from '../model.js';
import type { Rng } from '../rng.js';
import { positionsFromMask } from '../scoring.js';
import type { ModelWeights } from '../weights.js';

/** generate()'s sampling options, parsed (generateOptionsSchema's output). */
export interface DecodeOptions {
  temperature: number;
  topP: number;
  topK: number;
  packedMlp: boolean;
  packedDecode: boolean;
  decodeGraph: boolean;
}

/** One prompt's generation so far. */
export interface SeqState {
  tokenIds: number[];
  logprobs: number[];
  done: boolean;
  finishReason: 'stop' | 'length';
}

/** One step's sampled ids and their temperature-1 log-probs, as read back to the host. */
export interface Sampled {
  ids: ArrayLike<number>;
  logprobs: ArrayLike<number>;
}

/** What every decoder works on: the model, the left-padded batch and the sequences generate() accepts into. */
export interface DecodeContext {
  w: ModelWeights;
  cfg: Qwen2Config;
  options: DecodeOptions;
  rng: Rng;
  prompts: number[][];
  /** Padded prompt width. */
  width: number;
  /** New tokens at most (within max_position_embeddings). */
  maxNew: number;
  padTokenId: number;
  /** Key mask [B, width + steps so far] (1 = token, 0 = left padding); the concat-cache steps extend it. */
  keyMask: number[][];
  /** Accepted by generate() (a decoder reads which rows still sample and their last tokens). */
  seqs: readonly SeqState[];
}

/**
 * One decode strategy of generate(), chosen once from the options (decodeStrategy): it runs step `s` (0 = the
 * prefill over the prompts) and returns that step's samples, which generate() accepts into the sequences.
 */
export interface Decoder {
  /**
   * Read-backs generate() lets run ahead of the step being enqueued before it accepts the oldest: 0 means each
   * step's tokens are accepted before the next step runs (host sampling needs them for its next input).
   */
  readonly readAhead: number;
  step(s: number): Promise<Sampled>;
  /** Frees what the decoder holds (pending input, caches, graph). */
  dispose(): void;
}

/** The prompts as ids [B, width], left-padded. */
export function promptIds(ctx: DecodeContext): tf.Tensor2D {
  const { prompts, width, padTokenId } = ctx;
  return tf.tensor2d(
    prompts.map((p) => [...Array(width - p.length).fill(padTokenId), ...p]),
    [prompts.length, width],
    'int32',
  );
}

/** A decode step's rotary positions (per row) and cache slot; the prefill (s = 0) uses neither. */
export function decodePosition(ctx: DecodeContext, s: number): { positions: number[]; slot: number } {
  return { positions: ctx.prompts.map((p) => p.length + s - 1), slot: ctx.width + s - 1 };
}

/**
 * Runs one forward step over `ids` ([B,T] new tokens) on the concat KV cache; returns the new cache and
 * last-position logits [B,V] (the previous cache is left to the caller).
 */
export function concatStep(
  ctx: DecodeContext,
  ids: tf.Tensor2D,
  cache: KvCache | undefined,
): { cache: KvCache; logits: tf.Tensor2D } {
  const { w, cfg, keyMask } = ctx;
  const kept = tf.tidy(() => {
    const [b, t] = ids.shape;
    const allPos = positionsFromMask(keyMask);
    const positions = tf.tensor2d(
      allPos.map((r) => r.slice(r.length - t)),
      [b, t],
      'int32',
    );
    const bias = attentionBias(keyMask, t);
    const input = { ids, positions, bias, ...(cache ? { cache } : {}) };
    const res = forwardHidden(w, cfg, input, { withCache: true, packedMlp: ctx.options.packedMlp });
    const last = tf.reshape(tf.slice(res.hidden, [0, t - 1, 0], [b, 1, cfg.hiddenSize]), [
      b,
      cfg.hiddenSize,
    ]) as tf.Tensor2D;
    const next = defined(res.cache, 'kv cache (withCache)');
    return [...next.k, ...next.v, logitsOf(w, last)];
  });
  const n = cfg.numHiddenLayers;
  return {
    cache: { k: kept.slice(0, n) as tf.Tensor4D[], v: kept.slice(n, 2 * n) as tf.Tensor4D[] },
    logits: kept[2 * n] as tf.Tensor2D,
  };
}

export function disposeCache(c: KvCache | undefined): void {
  if (!c) return;
  for (const t of [...c.k, ...c.v]) t.dispose();
}

/** The key mask gains the column of the step just run. */
export function extendKeyMask(ctx: DecodeContext): void {
  for (const row of ctx.keyMask) row.push(1);
}

/** Uniforms [B] in [0,1) for one sampled step, drawn from the generation's RNG. */
export function drawUniforms(ctx: DecodeContext): Float32Array {
  return Float32Array.from({ length: ctx.prompts.length }, () => ctx.rng.next());
}

/** Samples from logits [B,V] on the device: ids [B] int32 (kept) and log-probs [B] (kept). */
export function sampleOnDevice(ctx: DecodeContext, logits: tf.Tensor2D): SampledTokens {
  const { temperature } = ctx.options;
  if (temperature === 0) return sampleTokens(logits, { temperature: 0 });
  const uniforms = tf.tensor1d(drawUniforms(ctx));
  try {
    return sampleTokens(logits, { temperature, uniforms });
  } finally {
    uniforms.dispose();
  }
}

/** Reads a step's sampled ids and log-probs, then frees them. */
export async function readSampled(s: SampledTokens): Promise<Sampled> {
  try {
    const [ids, logprobs] = await Promise.all([s.ids.data(), s.logprobs.data()]);
    return { ids: ids as Int32Array, logprobs: logprobs as Float32Array };
  } finally {
    s.ids.dispose();
    s.logprobs.dispose();
  }
}
