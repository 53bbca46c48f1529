import type * as tf from '@tensorflow/tfjs-core';
import type { KvCache } from '../model.js';
import { concatStep, type DecodeContext, disposeCache } from './decoder.js';

/** The concat KV cache a decoder steps on: each step's cache replaces (and frees) the previous one. */
export class ConcatCache {
  private cache: KvCache | undefined;

  /** Runs `ids` ([B,T] new tokens) on the cache (concatStep); returns the last-position logits [B,V]. */
  step(ctx: DecodeContext, ids: tf.Tensor2D): tf.Tensor2D {
    const r = concatStep(ctx, ids, this.cache);
    disposeCache(this.cache);
    this.cache = r.cache;
    return r.logits;
  }

  /** Hands the cache over to `use`, which takes ownership; if `use` throws, the cache is still freed here. */
  handOver<T>(use: (cache: KvCache) => T): T {
    if (!this.cache) throw new Error('ConcatCache.handOver before any step');
    const out = use(this.cache);
    this.cache = undefined;
    return out;
  }

  dispose(): void {
    disposeCache(this.cache);
    this.cache = undefined;
  }
}
