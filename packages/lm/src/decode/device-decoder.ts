import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { ConcatCache } from './concat-cache.js';
import {
  type DecodeContext,
  type Decoder,
  extendKeyMask,
  promptIds,
  readSampled,
  type Sampled,
  sampleOnDevice,
} from './decoder.js';

/**
 * Device sampling on the concat KV cache (any backend): only the sampled ids and their log-probs come back, and
 * step s+1 is enqueued with step s's ids (still on the device) before step s's are read back.
 */
export class DeviceDecoder implements Decoder {
  readonly readAhead: number = 1;
  protected input: tf.Tensor2D | undefined;
  protected readonly cache = new ConcatCache();

  constructor(protected readonly ctx: DecodeContext) {}

  step(s: number): Promise<Sampled> {
    const { ctx } = this;
    const ids = s === 0 ? promptIds(ctx) : defined(this.input, 'decoder input');
    this.input = ids;
    const logits = this.logitsOf(s, ids);
    ids.dispose();
    this.input = undefined;
    extendKeyMask(ctx);
    const sampled = sampleOnDevice(ctx, logits);
    logits.dispose();
    this.input = tf.reshape(sampled.ids, [ctx.prompts.length, 1]) as tf.Tensor2D;
    return readSampled(sampled);
  }

  /** Step `s`'s last-position logits [B,V] for its new tokens `ids` (left to the caller to free). */
  protected logitsOf(_s: number, ids: tf.Tensor2D): tf.Tensor2D {
    return this.cache.step(this.ctx, ids);
  }

  dispose(): void {
    this.input?.dispose();
    this.cache.dispose();
  }
}
