import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { sampleFromLogProbs } from '../sampling.js';
import { ConcatCache } from './concat-cache.js';
import { type DecodeContext, type Decoder, extendKeyMask, promptIds, type Sampled } from './decoder.js';

/**
 * Host sampling (top-k / top-p): each step's full log-probs [B,V] are read back and sampled on the host, so a step
 * waits for the previous one's tokens (its next input). Concat KV cache.
 */
export class HostDecoder implements Decoder {
  readonly readAhead = 0;
  private readonly cache = new ConcatCache();
  private input: tf.Tensor2D | undefined;

  constructor(private readonly ctx: DecodeContext) {}

  async step(s: number): Promise<Sampled> {
    const { ctx } = this;
    // a finished row feeds the pad token; its samples are dropped
    this.input =
      s === 0
        ? promptIds(ctx)
        : tf.tensor2d(
            ctx.seqs.map((q) => [q.done ? ctx.padTokenId : at(q.tokenIds, q.tokenIds.length - 1, 'last token')]),
            [ctx.seqs.length, 1],
            'int32',
          );
    const logits = this.cache.step(ctx, this.input);
    this.input.dispose();
    this.input = undefined;
    extendKeyMask(ctx);
    try {
      return await this.sample(logits);
    } finally {
      logits.dispose();
    }
  }

  /** Reads log-probs [B,V] and samples each live row. */
  private async sample(logits: tf.Tensor2D): Promise<Sampled> {
    const { ctx } = this;
    const live = ctx.seqs.map((q) => !q.done);
    const lpT = tf.logSoftmax(logits);
    const vocab = logits.shape[1];
    try {
      const lp = (await lpT.data()) as Float32Array;
      const ids = new Int32Array(live.length);
      const logprobs = new Float32Array(live.length);
      live.forEach((isLive, i) => {
        if (!isLive) return;
        const row = lp.subarray(i * vocab, (i + 1) * vocab);
        const id = sampleFromLogProbs(row, ctx.options, ctx.rng);
        ids[i] = id;
        logprobs[i] = at(row, id, 'log-probs row');
      });
      return { ids, logprobs };
    } finally {
      lpT.dispose();
    }
  }

  dispose(): void {
    this.input?.dispose();
    this.cache.dispose();
  }
}
