import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { firstMaskedColumn } from './batch.js';
import type { GrpoConfigInput } from './config.js';
import { GrpoConfigError, GrpoInputError } from './errors.js';
import type { AxpyInPlace } from './grad-clip.js';
import type { GrpoBatch, PolicyBatch } from './policy.js';
import { cpuAxpy } from './test-helpers.js';
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

describe('GrpoUpdater learning (fixed seed, CPU)', () => {
  const base: GrpoConfigInput = { lr: 0.1, weightDecay: 0 };

  it('raises the mean reward of a bigram policy on the target-token task', async () => {
    const { head, tail, metrics } = await train(base, 25);
    expect(head).toBeLessThan(0.4);
    expect(tail).toBeGreaterThan(0.7);
    expect(metrics.every((m) => Number.isFinite(defined(m['actor/pgLoss'], 'actor/pgLoss')))).toBe(true);
  });

  it('also learns with clip-higher (clipRatioHigh 0.28)', async () => {
    const { head, tail } = await train({ ...base, clipRatioHigh: 0.28 }, 25);
    expect(head).toBeLessThan(0.4);
    expect(tail).toBeGreaterThan(0.7);
  });

  it('also learns with the k3 KL loss on, and reports a positive KL', async () => {
    const { head, tail, metrics } = await train({ ...base, useKlLoss: true, klLossCoef: 0.05 }, 25, true);
    expect(head).toBeLessThan(0.4);
    expect(tail).toBeGreaterThan(0.6);
    expect(defined(metrics.at(-1), 'metrics.at(-1)')['actor/klLoss']).toBeGreaterThan(0);
  });

  it('a strong KL pull keeps the policy nearer the reference than no KL', async () => {
    const free = await train(base, 15, true);
    const tied = await train({ ...base, useKlLoss: true, klLossCoef: 5, klLossType: 'k2' }, 15, true);
    expect(tied.tail).toBeLessThan(free.tail);
  });
});

function fixedBatch(rewards: number[], groupSize = 2): GrpoBatch {
  const seqs = rewards.map((_, i) => [0, (i * 7) % 4, (i * 5 + 1) % 4, (i * i + 2) % 4]);
  return {
    inputIds: seqs,
    attentionMask: seqs.map((s) => s.map(() => 1)),
    responseMask: seqs.map((s) => s.map((_, t) => (t === 0 ? 0 : 1))),
    uids: rewards.map((_, i) => `u${Math.floor(i / groupSize)}`),
    rewards,
  };
}

async function variableValues(policy: BigramPolicy): Promise<number[]> {
  return Array.from(await at(policy.trainableVariables, 0, 'policy.trainableVariables').data());
}

describe('GrpoUpdater mechanics', () => {
  it('leaks no tensors across an update (after the optimiser state exists)', async () => {
    const start = tf.memory().numTensors;
    const policy = new BigramPolicy({ vocabSize: VOCAB, hiddenSize: 3, seed: 2 });
    const updater = new GrpoUpdater(policy, { lr: 0.01, useKlLoss: true, ppoMicroBatchSize: 3, ppoMiniBatchSize: 2 });
    const batch = {
      ...fixedBatch([1, 0, 0, 1, 1, 1, 0.5, 0]),
      refLogProbs: fixedBatch([0]).inputIds.map(() => [0, -1, -1, -1]),
    };
    batch.refLogProbs = batch.inputIds.map(() => [0, -1, -1, -1]);
    await updater.update(batch);
    const warm = tf.memory().numTensors;
    await updater.update(batch);
    expect(tf.memory().numTensors).toBe(warm);
    updater.dispose();
    policy.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('returns namespaced metrics', async () => {
    const policy = new BigramPolicy({ vocabSize: VOCAB, seed: 3 });
    const updater = new GrpoUpdater(policy, { lr: 0.01 });
    const m = await updater.update(fixedBatch([1, 0, 1, 1]));
    for (const key of [
      'actor/pgLoss',
      'actor/pgClipfrac',
      'actor/ppoKl',
      'actor/pgClipfracLower',
      'actor/gradNorm',
      'actor/lr',
      'actor/entropy',
      'critic/advantages/mean',
      'critic/rewards/mean',
      'critic/fracRewardZeroStd',
    ]) {
      expect(Number.isFinite(m[key]), key).toBe(true);
    }
    expect(m['critic/rewards/mean']).toBe(0.75);
    expect(m['critic/fracRewardZeroStd']).toBe(0.5); // group u1 = {1, 1}
    expect(m['actor/lr']).toBe(0.01);
    // old log-probs were recomputed from the same policy: ratio 1 everywhere on the single step
    expect(m['actor/ppoKl']).toBeCloseTo(0, 6);
    expect(m['actor/pgClipfrac']).toBe(0);
    expect(m['actor/numOptimizerSteps']).toBe(1);
    updater.dispose();
    policy.dispose();
  });

  it('takes one optimiser step per seed mini-batch per epoch', async () => {
    const policy = new BigramPolicy({ vocabSize: VOCAB, seed: 4 });
    const updater = new GrpoUpdater(policy, { lr: 0.01, ppoMiniBatchSize: 2, ppoEpochs: 2 });
    const m = await updater.update(fixedBatch([1, 0, 0, 1, 1, 0, 0.5, 0])); // 4 groups → 2 mini-batches
    expect(m['actor/numOptimizerSteps']).toBe(4);
    expect(updater.optimizerSteps).toBe(4);
    updater.dispose();
    policy.dispose();
  });

  it('micro-batch accumulation (len(micro)/len(mini) scaling) equals one full micro-batch', async () => {
    const batch = fixedBatch([1, 0, 0.5, 0, 1, 0.25]);
    const results: number[][] = [];
    for (const ppoMicroBatchSize of [undefined, 2, 1]) {
      const policy = new BigramPolicy({ vocabSize: VOCAB, seed: 5 });
      // adamEpsilon ≫ |g| makes the first AdamW step linear in the gradient (Δp ≈ −lr·g/ε = −10·g), so this
      // compares accumulated gradients rather than Adam's sign-like first step.
      const updater = new GrpoUpdater(policy, {
        lr: 1e4,
        adamEpsilon: 1e3,
        weightDecay: 0,
        gradClip: 1e6,
        ppoMicroBatchSize,
      });
      await updater.update(batch);
      results.push(await variableValues(policy));
      updater.dispose();
      policy.dispose();
    }
    for (const r of results.slice(1)) {
      r.forEach((v, i) => {
        expect(v).toBeCloseTo(at(at(results, 0, 'results'), i, 'results[0]'), 4);
      });
    }
    expect(at(results, 0, 'results').some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it('maskZeroStdGroups drops all-equal groups; with nothing left no step is taken', async () => {
    const policy = new BigramPolicy({ vocabSize: VOCAB, seed: 6 });
    const updater = new GrpoUpdater(policy, { lr: 0.05, maskZeroStdGroups: true, weightDecay: 0.1 });
    const before = await variableValues(policy);
    const m = await updater.update(fixedBatch([1, 1, 0, 0]));
    expect(m['actor/numOptimizerSteps']).toBe(0);
    expect(await variableValues(policy)).toEqual(before);
    const m2 = await updater.update(fixedBatch([1, 1, 0, 1]));
    expect(m2['actor/numOptimizerSteps']).toBe(1);
    expect(m2['critic/advantages/mean']).toBeCloseTo(0, 9); // only group u1 = {0, 1} is trained: ±0.707
    updater.dispose();
    policy.dispose();
  });

  it("runs clipMode/lossAggMode 'turn' with turnIds and requires them", async () => {
    const policy = new BigramPolicy({ vocabSize: VOCAB, seed: 10 });
    const updater = new GrpoUpdater(policy, { lr: 0.05, clipMode: 'turn', lossAggMode: 'turn', ppoEpochs: 2 });
    const batch = fixedBatch([1, 0, 0.5, 0]);
    await expect(updater.update(batch)).rejects.toSatisfy(
      (e: unknown) => GrpoInputError.isInstance(e) && (e as GrpoInputError).field === 'turnIds',
    );
    batch.turnIds = batch.inputIds.map(() => [-100, 0, 0, 1]);
    const m = await updater.update(batch);
    expect(Number.isFinite(m['actor/pgLoss'])).toBe(true);
    expect(m['actor/numOptimizerSteps']).toBe(2);
    expect(m['actor/ppoKl']).not.toBe(0); // the second epoch sees a moved policy
    updater.dispose();
    policy.dispose();
  });

  it('follows the LR schedule, one scheduler step per update()', async () => {
    const policy = new BigramPolicy({ vocabSize: VOCAB, seed: 7 });
    const updater = new GrpoUpdater(policy, {
      lr: 0.1,
      lrWarmupSteps: 2,
      lrScheduler: 'cosine',
      totalTrainingSteps: 4,
    });
    const lrs: number[] = [];
    for (let i = 0; i < 5; i++) lrs.push(defined((await updater.update(fixedBatch([1, 0])))['actor/lr'], 'actor/lr'));
    // warmup 0, 0.05, then cosine over 2 steps: 0.1, 0.05, 0
    [0, 0.05, 0.1, 0.05, 0].forEach((v, i) => {
      expect(lrs[i]).toBeCloseTo(v, 9);
    });
    updater.dispose();
    policy.dispose();
  });
});

describe('GrpoUpdater entropy bonus', () => {
  it('reports the token-mean entropy (ln 4 for the uniform start) and the bonus raises it', async () => {
    const policy = new BigramPolicy({ vocabSize: VOCAB, hiddenSize: 2, seed: 9 });
    // equal rewards ⇒ all advantages 0 ⇒ only the entropy term moves the policy
    const updater = new GrpoUpdater(policy, { lr: 0.05, weightDecay: 0, entropyCoeff: 1 });
    const first = defined((await updater.update(fixedBatch([1, 1, 1, 1])))['actor/entropy'], 'actor/entropy');
    expect(first).toBeLessThanOrEqual(Math.log(4) + 1e-6);
    expect(first).toBeGreaterThan(Math.log(4) - 0.01); // near-uniform random init
    let last = first;
    for (let i = 0; i < 5; i++)
      last = defined((await updater.update(fixedBatch([1, 1, 1, 1])))['actor/entropy'], 'actor/entropy');
    expect(last).toBeGreaterThan(first);
    updater.dispose();
    policy.dispose();
    const uniform = new BigramPolicy({ vocabSize: VOCAB });
    const u = new GrpoUpdater(uniform, { lr: 0.01 });
    expect((await u.update(fixedBatch([1, 0])))['actor/entropy']).toBeCloseTo(Math.log(4), 5);
    u.dispose();
    uniform.dispose();
  });
});

describe('GrpoUpdater plug-ins', () => {
  it('clips with the plugged sumOfSquares (same norm) and asks for a differentiable entropy only when used', async () => {
    const norms: number[] = [];
    const entropyGrad: (boolean | undefined)[] = [];
    for (const [entropyCoeff, plugged] of [
      [0, false],
      [0, true],
      [0.1, true],
    ] as const) {
      const policy = new BigramPolicy({ vocabSize: VOCAB, seed: 3 });
      const withEntropy = policy.computeLogProbsAndEntropy.bind(policy);
      policy.computeLogProbsAndEntropy = (batch: PolicyBatch, opts?: { entropyGrad?: boolean }) => {
        if (opts) entropyGrad.push(opts.entropyGrad); // (the toy's computeLogProbs calls it without options)
        return withEntropy(batch);
      };
      let calls = 0;
      const sumOfSquares = (g: tf.Tensor) => {
        calls += 1;
        return tf.sum(tf.square(g)) as tf.Scalar;
      };
      const updater = new GrpoUpdater(policy, { lr: 0.1, entropyCoeff }, plugged ? { sumOfSquares } : {});
      const m = await updater.update(fixedBatch([1, 0, 1, 0]));
      if (plugged) expect(calls).toBe(policy.trainableVariables.length);
      norms.push(defined(m['actor/gradNorm'], 'actor/gradNorm'));
      updater.dispose();
      policy.dispose();
    }
    expect(norms[1]).toBeCloseTo(at(norms, 0, 'norms'), 6);
    expect(entropyGrad).toEqual([false, false, true]);
  });
});

describe('GrpoUpdater fromPosition', () => {
  it("hands each micro-batch its first response column (rows' earliest), also when recomputing old log-probs", async () => {
    const policy = new BigramPolicy({ vocabSize: VOCAB, seed: 4 });
    const seen: (number | undefined)[] = [];
    const inner = policy.computeLogProbsAndEntropy.bind(policy);
    policy.computeLogProbsAndEntropy = (batch: PolicyBatch) => {
      seen.push(batch.fromPosition);
      return inner(batch);
    };
    const batch = fixedBatch([1, 0, 1, 0]);
    // micro-batches [rows 0, 1] and [rows 2, 3]: responses start at columns 2, 3 and 1, 3
    batch.responseMask = [
      [0, 0, 1, 1],
      [0, 0, 0, 1],
      [0, 1, 1, 1],
      [0, 0, 0, 1],
    ];
    const updater = new GrpoUpdater(policy, { lr: 0.1, ppoMicroBatchSize: 2 });
    try {
      await updater.update(batch); // old log-probs recomputed (2 micro-batches), then one update (2 micro-batches)
      expect(seen).toEqual([2, 1, 2, 1]);
    } finally {
      updater.dispose();
      policy.dispose();
    }
  });

  it('firstMaskedColumn: the earliest nonzero column of the picked rows, 0 when none', () => {
    const m = [
      [0, 0, 1],
      [0, 1, 1],
      [0, 0, 0],
    ];
    expect(firstMaskedColumn(m, [0])).toBe(2);
    expect(firstMaskedColumn(m, [0, 1])).toBe(1);
    expect(firstMaskedColumn(m, [2])).toBe(0);
  });
});

describe('GrpoUpdater in-place accumulation and clip (axpyInPlace plug-in)', () => {
  it('gives the same norm and parameters with accumulation over micro-batches and a clip that scales', async () => {
    const run = async (axpy?: AxpyInPlace) => {
      const policy = new BigramPolicy({ vocabSize: VOCAB, seed: 5 });
      const updater = new GrpoUpdater(
        policy,
        { lr: 0.1, gradClip: 1e-3, ppoMicroBatchSize: 1 },
        axpy ? { axpyInPlace: axpy } : {},
      );
      const m = await updater.update(fixedBatch([1, 0, 1, 0]));
      const params = await Promise.all(policy.trainableVariables.map(async (v) => Array.from(await v.data())));
      updater.dispose();
      policy.dispose();
      return { norm: defined(m['actor/gradNorm'], 'actor/gradNorm'), params };
    };
    const plain = await run();
    const calls: string[] = [];
    const inPlace = await run(cpuAxpy(calls));
    const declined = await run(cpuAxpy([], true));
    expect(calls.filter((c) => c === 'add').length).toBeGreaterThan(0);
    expect(calls.filter((c) => c === 'scale').length).toBeGreaterThan(0);
    for (const other of [inPlace, declined]) {
      expect(other.norm).toBeCloseTo(plain.norm, 6);
      other.params.forEach((p, i) => {
        p.forEach((x, j) => {
          expect(x).toBeCloseTo(at(at(plain.params, i, 'plain.params'), j, 'plain.params[i]'), 6);
        });
      });
    }
  });
});

describe('GrpoUpdater errors', () => {
  const policy = { trainableVariables: [], computeLogProbs: () => tf.zeros([1, 1]) as tf.Tensor2D };

  it('rejects an invalid config with a typed error naming the field', () => {
    let caught: unknown;
    try {
      new GrpoUpdater(policy, { clipRatioC: 0.5 });
    } catch (e) {
      caught = e;
    }
    expect(GrpoConfigError.isInstance(caught)).toBe(true);
    expect((caught as GrpoConfigError).field).toBe('clipRatioC');
    expect(() => new GrpoUpdater(policy, { entropyCoeff: 0.01 })).toThrow(/computeLogProbsAndEntropy/);
    expect(() => new GrpoUpdater(policy, { lrScheduler: 'cosine' })).toThrow(/totalTrainingSteps/);
    expect(() => new GrpoUpdater(policy, { unknownKey: 1 } as GrpoConfigInput)).toThrow(GrpoConfigError);
  });

  it('rejects malformed batches with a typed error naming the field', async () => {
    const p = new BigramPolicy({ vocabSize: VOCAB, seed: 8 });
    const updater = new GrpoUpdater(p, { useKlLoss: true });
    await expect(updater.update(fixedBatch([1, 0]))).rejects.toThrow(/refLogProbs/);
    const ragged = fixedBatch([1, 0]);
    ragged.responseMask[1] = [0, 1];
    await expect(updater.update(ragged)).rejects.toSatisfy(
      (e: unknown) => GrpoInputError.isInstance(e) && (e as GrpoInputError).field === 'responseMask',
    );
    const nan = fixedBatch([1, Number.NaN]);
    await expect(updater.update(nan)).rejects.toThrow(GrpoInputError);
    updater.dispose();
    p.dispose();
  });
});
