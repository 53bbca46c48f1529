import * as tf from '@tensorflow/tfjs-core';
import type { KvCache } from '../model.js';
import {
  concatStep,
  type DecodeContext,
  type Decoder,
  disposeCache,
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
  readonly readAhead = 1;
  private cache: KvCache | undefined;
  private input: tf.Tensor2D | undefined;

  constructor(private readonly ctx: DecodeContext) {}

  step(s: number): Promise<Sampled> {
    const { ctx } = this;
    const ids = s === 0 ? promptIds(ctx) : this.input!;
    this.input = ids;
    const r = concatStep(ctx, ids, this.cache);
    disposeCache(this.cache);
    this.cache = r.cache;
    ids.dispose();
    this.input = undefined;
    extendKeyMask(ctx);
    const sampled = sampleOnDevice(ctx, r.logits);
    r.logits.dispose();
    this.input = tf.reshape(sampled.ids, [ctx.prompts.length, 1]) as tf.Tensor2D;
    return readSampled(sampled);
  }

  dispose(): void {
    this.input?.dispose();
    disposeCache(this.cache);
  }
}
