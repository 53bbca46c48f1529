import { defined } from '@magic/core';
import type * as tf from '@tensorflow/tfjs-core';
import { PackedDecoder } from '../packed-model.js';
import { type Decoder, decodePosition } from './decoder.js';
import { DeviceDecoder } from './device-decoder.js';

/**
 * WebGPU with device sampling: the prefill runs on the concat cache, which then moves into a preallocated in-place
 * KV cache (PackedDecoder) that every later step writes one slot of. Reads back one step behind, as DeviceDecoder.
 */
export class PackedCacheDecoder extends DeviceDecoder implements Decoder {
  protected packed: PackedDecoder | undefined;

  protected override logitsOf(s: number, ids: tf.Tensor2D): tf.Tensor2D {
    const { ctx } = this;
    if (s !== 0) {
      const { positions, slot } = decodePosition(ctx, s);
      return defined(this.packed, 'packed model').step(ids, positions, slot);
    }
    const logits = this.cache.step(ctx, ids);
    this.packed = this.cache.handOver(
      (cache) => new PackedDecoder(ctx.w, ctx.cfg, cache, ctx.keyMask, ctx.width + ctx.maxNew),
    );
    this.afterPrefill(this.packed);
    return logits;
  }

  /** Called once the in-place cache holds the prompt (before the prefill's tokens are sampled). */
  protected afterPrefill(_packed: PackedDecoder): void {}

  override dispose(): void {
    super.dispose();
    this.packed?.dispose();
  }
}
