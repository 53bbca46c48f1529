import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { GrpoConfigInput } from './config.js';
import { GrpoConfigError, GrpoInputError } from './errors.js';
import type { GrpoBatch } from './policy.js';
import { BigramPolicy, mulberry32 } from './toy.js';
import { GrpoUpdater } from './updater.js';

// Toy task: vocabulary of 4 tokens; the prompt is token 0; the policy writes 4 tokens and is
// rewarded with the fraction of them equal to TARGET. A uniform start policy scores 0.25.
const VOCAB = 4;
const TARGET = 2;
const NEW_TOKENS = 4;
const SEEDS = 4;
const GROUP = 4;

async function makeBatch(policy: BigramPolicy, rng: () => number, step: number): Promise<GrpoBatch> {
  const prompts = Array.from({ length: SEEDS * GROUP }, () => [0]);
  const seqs = await policy.sample(prompts, NEW_TOKENS, rng);
  const rewards = seqs.map((s) => s.slice(1).filter((t) => t === TARGET).length / NEW_TOKENS);
  return {
    inputIds: seqs,
    attentionMask: seqs.map((s) => s.map(() => 1)),
    responseMask: seqs.map((s) => s.map((_, t) => (t === 0 ? 0 : 1))),
    uids: seqs.map((_, i) => `step${step}-seed${Math.floor(i / GROUP)}`),
    rewards,
  };
}

async function train(config: GrpoConfigInput, steps: number, withRef = false) {
  const policy = new BigramPolicy({ vocabSize: VOCAB, seed: 1 });
  const ref = withRef ? new BigramPolicy({ vocabSize: VOCAB, seed: 1 }) : undefined;
  const updater = new GrpoUpdater(policy, config);
  const rng = mulberry32(1234);
  const rewards: number[] = [];
  const metrics: Record<string, number>[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const batch = await makeBatch(policy, rng, step);
      if (ref) {
        const ids = tf.tensor2d(batch.inputIds, undefined, 'int32');
        const mask = tf.tensor2d(batch.attentionMask, undefined, 'int32');
        const lp = ref.computeLogProbs({ inputIds: ids as tf.Tensor2D, attentionMask: mask as tf.Tensor2D });
        batch.refLogProbs = (await lp.array()) as number[][];
        tf.dispose([ids, mask, lp]);
      }
      rewards.push(batch.rewards.reduce((a, b) => a + b, 0) / batch.rewards.length);
      metrics.push(await updater.update(batch));
    }
  } finally {
    updater.dispose();
    policy.dispose();
    ref?.dispose();
  }
  const head = rewards.slice(0, 3).reduce((a, b) => a + b, 0) / 3;
  const tail = rewards.slice(-3).reduce((a, b) => a + b, 0) / 3;
  return { head, tail, metrics };
}

describe('GrpoUpdater learning', () => {
  const base: GrpoConfigInput = { lr: 0.1, weightDecay: 0 };

  it('raises the mean reward of a bigram policy on the target-token task', async () => {
    const { head, tail } = await train(base, 20);
    expect(head).toBeLessThan(0.4);
    expect(tail).toBeGreaterThan(0.8);
  });
});
