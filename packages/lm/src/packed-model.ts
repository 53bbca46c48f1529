import { at, defined } from '@magic/core';
import {
  createKvCache,
  type DevicePosition,
  fusedRmsNorm,
  type PackedAttentionShape,
  packedDecodeAttention,
  packedSwiGlu,
  ropeInverseFrequencies,
  writeKvCache,
} from '@magic/tensor/kernels';
import * as tf from '@tensorflow/tfjs-core';
import type { Qwen2Config } from './config.js';
import { embedLookup, type KvCache, linear, logitsOf, NEG } from './model.js';
import type { ModelWeights } from './weights.js';

// The WebGPU decode path of the model (packed projections, cache written in place); model.ts has the forward pass.

/** A decode step's cache slot and attended length (slot + 1) on the device, int32 [1] each. */
export interface DeviceSlot {
  slot: DevicePosition;
  length: DevicePosition;
}

/**
 * Decoding with a preallocated cache (WebGPU): per layer the q/k/v projections are one matmul of the
 * concatenated weights, the new key/value is written into the cache in place (rotary embedding in the same
 * kernel), attention reads q straight from the packed projection, and gate/up are one matmul whose halves one
 * SwiGLU kernel reads: 9 dispatches per layer, no concat.
 */
export class PackedDecoder {
  private readonly qkvWeight: tf.Tensor2D[];
  private readonly gateUpWeight: tf.Tensor2D[];
  private readonly qkvBias: tf.Tensor1D[];
  private readonly caches: tf.Tensor4D[];
  private readonly padBias: tf.Tensor2D;
  private readonly shape: PackedAttentionShape;

  /**
   * @param prefill the cache a prefill forward returned (consumed: copied into the larger cache, then freed)
   * @param promptMask the prompt's key mask [B, promptLen] (1 = token, 0 = left padding)
   * @param maxLen prompt length + new tokens
   */
  constructor(
    private readonly w: ModelWeights,
    private readonly cfg: Qwen2Config,
    prefill: KvCache,
    promptMask: number[][],
    maxLen: number,
  ) {
    this.shape = {
      numHeads: cfg.numAttentionHeads,
      numKvHeads: cfg.numKeyValueHeads,
      headDim: cfg.headDim,
      theta: cfg.ropeTheta,
      invFreq: ropeInverseFrequencies(cfg.headDim, cfg.ropeTheta),
    };
    this.qkvWeight = w.layers.map((l) => tf.concat([l.qWeight, l.kWeight, l.vWeight], 0) as tf.Tensor2D);
    this.qkvBias = w.layers.map((l) => tf.concat([l.qBias, l.kBias, l.vBias], 0) as tf.Tensor1D);
    this.gateUpWeight = w.layers.map((l) => tf.concat([l.gateWeight, l.upWeight], 0) as tf.Tensor2D);
    this.caches = prefill.k.map((k, i) => createKvCache(k, at(prefill.v, i, 'prefill values'), maxLen));
    for (const t of [...prefill.k, ...prefill.v]) t.dispose();
    const b = promptMask.length;
    const bias = new Float32Array(b * maxLen);
    promptMask.forEach((row, i) => {
      row.forEach((m, j) => {
        if (m !== 1) bias[i * maxLen + j] = NEG;
      });
    });
    this.padBias = tf.tensor2d(bias, [b, maxLen]);
  }

  /**
   * Logits [B,V] for one new token per row at cache position `slot`, rotary positions `positions`. Positions
   * and slot may live on the device (int32 tensors: positions [B], slot and slot + 1 as [1] each), as a decode
   * step replayed from a dispatch graph needs.
   */
  step(ids: tf.Tensor2D, positions: number[] | tf.Tensor1D, slot: number | DeviceSlot): tf.Tensor2D {
    const { w, cfg } = this;
    const cachePos = typeof slot === 'number' ? { slot, length: slot + 1 } : slot;
    return tf.tidy(() => {
      const b = ids.shape[0];
      const pos = Array.isArray(positions) ? tf.tensor1d(positions, 'int32') : positions;
      let h = embedLookup(w.embed, ids);
      w.layers.forEach((layer, i) => {
        const normed = fusedRmsNorm(h, layer.inputNorm, cfg.rmsNormEps);
        const qkvWeight = at(this.qkvWeight, i, 'qkvWeight');
        const qkv = tf.reshape(linear(normed, qkvWeight, at(this.qkvBias, i, 'qkvBias')), [b, -1]) as tf.Tensor2D;
        const cache = at(this.caches, i, 'kv caches');
        const next = writeKvCache(cache, qkv, pos, cachePos.slot, this.shape);
        if (next !== cache) {
          // written functionally (the buffer was shared): keep the new cache past this tidy
          this.caches[i] = tf.keep(next);
          cache.dispose();
        }
        const att = packedDecodeAttention(qkv, pos, next, this.padBias, cachePos.length, this.shape);
        h = linear(tf.reshape(att, [b, 1, cfg.numAttentionHeads * cfg.headDim]) as tf.Tensor3D, layer.oWeight, h);
        const act = packedSwiGlu(
          linear(fusedRmsNorm(h, layer.postNorm, cfg.rmsNormEps), at(this.gateUpWeight, i, 'gateUpWeight')),
        );
        h = linear(act, layer.downWeight, h);
      });
      const last = tf.reshape(fusedRmsNorm(h, w.norm, cfg.rmsNormEps), [b, cfg.hiddenSize]) as tf.Tensor2D;
      return logitsOf(w, last);
    });
  }

  /** Ids of the per-layer cache tensors (they change only if a write could not be done in place). */
  cacheIds(): number[] {
    return this.caches.map((c) => c.id);
  }

  dispose(): void {
    tf.dispose([
      ...this.qkvWeight,
      ...this.qkvBias,
      ...this.gateUpWeight,
      ...this.caches,
      this.padBias,
      defined(this.shape.invFreq, 'rope inverse frequencies'),
    ]);
  }
}
