import { at, defined, mulberry32 } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Policy, PolicyBatch } from './policy.js';

/** tfjs treats seed 0 as no seed (Math.random); 0 maps to a fixed value (as @magic/tensor's tfSeed, not a dependency here). */
const tfjsSeed = (seed: number): number => (seed === 0 ? 0x9e3779b9 : seed);

// mulberry32 lives in @magic/core; re-exported because the README example and the tests use it from here.
export { mulberry32 };

/**
 * Toy policy for examples, tests and benchmarks: a bigram language model whose next-token logits are
 * a trainable `(V, V)` table row (optionally factored through a `(V, D)` embedding and `(D, V)` output
 * matrix when `hiddenSize` is set). Implements {@link Policy} including entropy.
 */
export class BigramPolicy implements Policy {
  readonly vocabSize: number;
  readonly trainableVariables: tf.Variable[];

  constructor(options: { vocabSize: number; hiddenSize?: number; seed?: number }) {
    this.vocabSize = options.vocabSize;
    const seed = options.seed ?? 0;
    const v = options.vocabSize;
    const d = options.hiddenSize;
    this.trainableVariables = tf.tidy(() =>
      d === undefined
        ? [tf.variable(tf.zeros([v, v]), true, `bigram_${seed}_${tf.util.now()}`)]
        : [
            tf.variable(
              tf.randomNormal([v, d], 0, 0.02, 'float32', tfjsSeed(seed)),
              true,
              `bigram_emb_${seed}_${tf.util.now()}`,
            ),
            tf.variable(
              tf.randomNormal([d, v], 0, 0.02, 'float32', tfjsSeed(seed + 1)),
              true,
              `bigram_out_${seed}_${tf.util.now()}`,
            ),
          ],
    );
  }

  /** Next-token logits for each position `(B, T, V)`. */
  logits(inputIds: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t] = inputIds.shape;
      const flat = tf.reshape(inputIds, [-1]);
      const [first, second] = this.trainableVariables;
      // one-hot · table rather than gather: tfjs-cpu's gather gradient (unsortedSegmentSum) loops per row
      const picked = tf.matMul(tf.oneHot(tf.cast(flat, 'int32'), this.vocabSize), defined(first, 'embedding table'));
      const rows = second ? tf.matMul(picked, second) : picked;
      return tf.reshape(rows, [b, t, this.vocabSize]) as tf.Tensor3D;
    });
  }

  computeLogProbs(batch: PolicyBatch): tf.Tensor2D {
    return this.computeLogProbsAndEntropy(batch).logProbs;
  }

  computeLogProbsAndEntropy(batch: PolicyBatch): { logProbs: tf.Tensor2D; entropy: tf.Tensor2D } {
    return tf.tidy(() => {
      const [b, t] = batch.inputIds.shape;
      if (t < 2) return { logProbs: tf.zeros([b, t]) as tf.Tensor2D, entropy: tf.zeros([b, t]) as tf.Tensor2D };
      const context = tf.slice(batch.inputIds, [0, 0], [b, t - 1]);
      const targets = tf.slice(batch.inputIds, [0, 1], [b, t - 1]);
      const logp = tf.logSoftmax(this.logits(context as tf.Tensor2D));
      const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.cast(targets, 'int32'), this.vocabSize)), -1);
      const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1));
      const pad = tf.zeros([b, 1]);
      return {
        logProbs: tf.concat([pad, picked], 1) as tf.Tensor2D,
        entropy: tf.concat([pad, entropy], 1) as tf.Tensor2D,
      };
    });
  }

  /** Samples `maxNewTokens` tokens after each prompt at temperature 1; returns full sequences. */
  async sample(prompts: readonly number[][], maxNewTokens: number, rng: () => number): Promise<number[][]> {
    const seqs = prompts.map((p) => [...p]);
    for (let step = 0; step < maxNewTokens; step++) {
      const last = tf.tensor2d(
        seqs.map((s) => [at(s, s.length - 1, 'sequence')]),
        [seqs.length, 1],
        'int32',
      );
      const probs = tf.tidy(() => tf.softmax(tf.reshape(this.logits(last), [seqs.length, this.vocabSize])));
      const p = (await probs.array()) as number[][];
      tf.dispose([last, probs]);
      seqs.forEach((s, i) => {
        s.push(sampleIndex(at(p, i, 'probs'), rng()));
      });
    }
    return seqs;
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}

function sampleIndex(probs: readonly number[], u: number): number {
  let c = 0;
  for (const [i, p] of probs.entries()) {
    c += p;
    if (u < c) return i;
  }
  return probs.length - 1;
}
