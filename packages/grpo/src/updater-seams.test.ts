import { at } from '@magic/core';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GrpoAdvantagesSchema } from './batch-advantages.js';
import type { GrpoConfigInput } from './config.js';
import { GrpoInputError } from './errors.js';
import type { GrpoBatch } from './policy.js';
import { BigramPolicy, mulberry32 } from './toy.js';
import { GrpoUpdater } from './updater.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// warm-up, several mini-batches and micro-batches: every piece of state a resume must carry matters
const CONFIG: GrpoConfigInput = {
  lr: 0.05,
  lrScheduler: 'cosine',
  lrWarmupSteps: 2,
  totalTrainingSteps: 6,
  ppoMiniBatchSize: 2,
  ppoMicroBatchSize: 3,
  weightDecay: 0.1,
};

let policySeed = 10;
function policy(): BigramPolicy {
  policySeed += 1;
  return new BigramPolicy({ vocabSize: 5, hiddenSize: 3, seed: policySeed });
}

async function batch(p: BigramPolicy, seed: number): Promise<GrpoBatch> {
  const seqs = await p.sample(
    Array.from({ length: 12 }, () => [0]),
    3,
    mulberry32(seed),
  );
  return {
    inputIds: seqs,
    attentionMask: seqs.map((s) => s.map(() => 1)),
    responseMask: seqs.map((s) => s.map((_, t) => (t === 0 ? 0 : 1))),
    uids: seqs.map((_, i) => `g${i >> 2}`),
    rewards: seqs.map((s) => s.filter((t) => t === 2).length),
  };
}

async function values(p: BigramPolicy): Promise<Float32Array[]> {
  return Promise.all(p.trainableVariables.map(async (v) => Float32Array.from(await v.data())));
}

function copyWeights(from: BigramPolicy, to: BigramPolicy): void {
  from.trainableVariables.forEach((v, i) => {
    at(to.trainableVariables, i, 'to.trainableVariables').assign(v);
  });
}

describe('GrpoUpdater seams', () => {
  it('computeAdvantages → step is update(): same metrics, same weights', async () => {
    const a = policy();
    const b = policy();
    copyWeights(a, b);
    const ua = new GrpoUpdater(a, CONFIG);
    const ub = new GrpoUpdater(b, CONFIG);
    const x = await batch(a, 3);
    const adv = ub.computeAdvantages(x);
    expect(GrpoAdvantagesSchema.parse(adv)).toEqual(adv);
    // group g0's rewards decide its advantages: (r − mean)/(std + ε), with the unbiased std
    const r = x.rewards.slice(0, 4);
    const mean = r.reduce((s, v) => s + v, 0) / 4;
    const std = Math.sqrt(r.reduce((s, v) => s + (v - mean) ** 2, 0) / 3);
    if (std > 0) expect(adv.advantages[0]).toBeCloseTo((at(r, 0, 'r') - mean) / (std + 1e-6), 10);
    expect(adv.tokenAdvantages[0]).toEqual([0, adv.advantages[0], adv.advantages[0], adv.advantages[0]]);
    const viaUpdate = await ua.update(x);
    const viaSeams = await ub.step(x, adv);
    expect(viaSeams).toEqual(viaUpdate);
    expect(await values(b)).toEqual(await values(a));
    for (const u of [ua, ub]) u.dispose();
    tf.dispose([...a.trainableVariables, ...b.trainableVariables]);
  });

  it('step uses the advantages it is given (a caller may reshape them)', async () => {
    const a = policy();
    const b = policy();
    copyWeights(a, b);
    const config = { ...CONFIG, lrWarmupSteps: 0, weightDecay: 0 };
    const ua = new GrpoUpdater(a, config);
    const ub = new GrpoUpdater(b, config);
    const x = await batch(a, 4);
    const before = await values(a);
    const adv = ua.computeAdvantages(x);
    const zero = { ...adv, tokenAdvantages: adv.tokenAdvantages.map((row) => row.map(() => 0)) };
    const m = await ua.step(x, zero);
    // zero advantages: no policy-gradient signal, so AdamW's update m̂/(√v̂ + ε) is 0 and no weight moves
    expect(m['actor/pgLoss']).toBe(0);
    expect(m['actor/gradNorm']).toBe(0);
    expect(await values(a)).toEqual(before);
    await ub.step(x, adv);
    expect(await values(b)).not.toEqual(before);
    for (const u of [ua, ub]) u.dispose();
    tf.dispose([...a.trainableVariables, ...b.trainableVariables]);
  });

  it('step rejects advantages that do not fit the batch, with typed errors', async () => {
    const a = policy();
    const u = new GrpoUpdater(a, CONFIG);
    const x = await batch(a, 5);
    const adv = u.computeAdvantages(x);
    const short = { ...adv, advantages: adv.advantages.slice(1) };
    await expect(u.step(x, short)).rejects.toThrow(GrpoInputError);
    await expect(u.step(x, short)).rejects.toThrow(/advantages\.advantages: has 11 rows, the batch 12/);
    const nan = { ...adv, tokenAdvantages: adv.tokenAdvantages.map((row) => row.map(() => Number.NaN)) };
    await expect(u.step(x, nan)).rejects.toThrow(/advantages\.tokenAdvantages/);
    const narrow = { ...adv, trainMask: adv.trainMask.map((row) => row.slice(1)) };
    await expect(u.step(x, narrow)).rejects.toThrow(/row length differs/);
    expect(u.optimizerSteps).toBe(0);
    u.dispose();
    tf.dispose(a.trainableVariables);
  });

  it('computeOldLogProbs: the policy log-probs, the same in micro-batches as at once', async () => {
    const a = policy();
    const whole = new GrpoUpdater(a, { ...CONFIG, ppoMicroBatchSize: 12 });
    const micro = new GrpoUpdater(a, { ...CONFIG, ppoMicroBatchSize: 5 });
    const x = await batch(a, 6);
    const lp = await micro.computeOldLogProbs(x);
    expect(lp).toEqual(await whole.computeOldLogProbs(x));
    const ids = tf.tensor2d(x.inputIds, undefined, 'int32');
    const mask = tf.tensor2d(x.attentionMask, undefined, 'int32');
    const direct = a.computeLogProbs({ inputIds: ids, attentionMask: mask });
    const want = (await direct.array()) as number[][];
    lp.forEach((row, i) => {
      row.forEach((v, t) => {
        expect(v).toBeCloseTo(at(at(want, i, 'want'), t, 'want[i]'), 6);
      });
    });
    expect(at(lp, 0, 'lp')[1]).toBeLessThan(0);
    tf.dispose([ids, mask, direct, ...a.trainableVariables]);
    whole.dispose();
    micro.dispose();
  });

  it('stateDict → loadStateDict into a fresh updater: the next steps are bit-identical to an uninterrupted run', async () => {
    const a = policy();
    const ua = new GrpoUpdater(a, CONFIG);
    const batches = [await batch(a, 7), await batch(a, 8), await batch(a, 9)];
    await ua.update(at(batches, 0, 'batches'));
    const saved = await ua.stateDict();
    const weights = await values(a);
    expect(saved.schedulerStep).toBe(1);
    expect(saved.optimizer.step).toBe(2); // two mini-batches of 2 groups each
    expect(saved.optimizer.state.every((s) => s !== null)).toBe(true);

    const b = policy();
    b.trainableVariables.forEach((v, i) => {
      v.assign(tf.tensor(at(weights, i, 'weights'), v.shape));
    });
    const ub = new GrpoUpdater(b, CONFIG);
    ub.loadStateDict(saved);
    expect(ub.lr).toBe(ua.lr);
    let afterFirst: Float32Array[] = [];
    for (const x of batches.slice(1)) {
      const ma = await ua.update(x);
      const mb = await ub.update(x);
      expect(mb).toEqual(ma);
      expect(await values(b)).toEqual(await values(a));
      if (afterFirst.length === 0) afterFirst = await values(a);
    }
    // fresh moments instead of the saved ones: the continuation differs (the test above can fail)
    const c = policy();
    c.trainableVariables.forEach((v, i) => {
      v.assign(tf.tensor(at(weights, i, 'weights'), v.shape));
    });
    const uc = new GrpoUpdater(c, CONFIG);
    uc.loadStateDict({ ...saved, optimizer: { step: 0, state: saved.optimizer.state.map(() => null) } });
    await uc.update(at(batches, 1, 'batches'));
    expect(await values(c)).not.toEqual(afterFirst);
    for (const u of [ua, ub, uc]) u.dispose();
    tf.dispose([...a.trainableVariables, ...b.trainableVariables, ...c.trainableVariables]);
  });

  it('loadStateDict rejects state of another shape or length', async () => {
    const a = policy();
    const u = new GrpoUpdater(a, CONFIG);
    await u.update(await batch(a, 10));
    const saved = await u.stateDict();
    const other = new GrpoUpdater(new BigramPolicy({ vocabSize: 5, hiddenSize: 4, seed: 99 }), CONFIG);
    expect(() => other.loadStateDict(saved)).toThrow(/shape 5x3 differs from 5x4/);
    expect(() => other.loadStateDict({ ...saved, optimizer: { ...saved.optimizer, state: [] } })).toThrow(
      /has 0 entries, expected 2 parameters/,
    );
    expect(() => other.loadStateDict({ ...saved, schedulerStep: -1 })).toThrow(GrpoInputError);
    u.dispose();
    other.dispose();
    tf.dispose([...a.trainableVariables, ...other.policy.trainableVariables]);
  });
});
