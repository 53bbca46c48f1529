import * as tf from '@tensorflow/tfjs-core';
import { type KvCache, PackedDecoder } from '../model.js';
import {
  concatStep,
  type DecodeContext,
  type Decoder,
  decodePosition,
  disposeCache,
  extendKeyMask,
  promptIds,
  readSampled,
  type Sampled,
  sampleOnDevice,
} from './decoder.js';

/**
 * WebGPU with device sampling: the prefill runs on the concat cache, which then moves into a preallocated in-place
 * KV cache (PackedDecoder) that every later step writes one slot of. Reads back one step behind, as DeviceDecoder.
 */
export class PackedCacheDecoder implements Decoder {
  readonly readAhead: number = 1;
  protected packed: PackedDecoder | undefined;
  protected input: tf.Tensor2D | undefined;
  private cache: KvCache | undefined;

  constructor(protected readonly ctx: DecodeContext) {}

  step(s: number): Promise<Sampled> {
    const { ctx } = this;
    const ids = s === 0 ? promptIds(ctx) : this.input!;
    this.input = ids;
    let logits: tf.Tensor2D;
    if (s === 0) {
      const r = concatStep(ctx, ids, undefined);
      this.cache = r.cache;
      logits = r.logits;
      this.packed = new PackedDecoder(ctx.w, ctx.cfg, this.cache, ctx.keyMask, ctx.width + ctx.maxNew);
      this.cache = undefined;
      this.afterPrefill(this.packed);
    } else {
      const { positions, slot } = decodePosition(ctx, s);
      logits = this.packed!.step(ids, positions, slot);
    }
    ids.dispose();
    this.input = undefined;
    extendKeyMask(ctx);
    const sampled = sampleOnDevice(ctx, logits);
    logits.dispose();
    this.input = tf.reshape(sampled.ids, [ctx.prompts.length, 1]) as tf.Tensor2D;
    return readSampled(sampled);
  }

  /** Called once the in-place cache holds the prompt (before the prefill's tokens are sampled). */
  protected afterPrefill(_packed: PackedDecoder): void {}

  dispose(): void {
    this.input?.dispose();
    disposeCache(this.cache);
    this.packed?.dispose();
  }
}
