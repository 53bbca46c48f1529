import { at } from '@magic/core';
import { BigramPolicy, type GrpoBatch, GrpoUpdater } from '@magic/grpo';
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { grpoConfigFor, LmPlayer } from '../magic/lm-player.js';
import { loadConfig } from './load.js';

// Every grpo.* option of the trainer config reaches @magic/grpo: one value changed, two updates of a toy policy
// give other metrics or other weights. Large steps (lr, epochs, one group per mini-batch) make every term visible.
const BASE = ['grpo.lr=0.5', 'grpo.ppoEpochs=2', 'grpo.ppoMiniBatchSize=1', 'grpo.ppoMicroBatchSize=2'];
const VOCAB = 5;

/**
 * Two groups: one with varied rewards, one zero-std; responses of different lengths; one turn. Rows 0 and 3 are the same
 * text with opposite advantages, so the negative one's ratio rises above 1 (the dual clip's case).
 */
function batch(): GrpoBatch {
  const inputIds = [
    [0, 1, 2, 3, 4, 1],
    [0, 2, 2, 1, 0, 0],
    [0, 3, 4, 0, 0, 0],
    [0, 1, 2, 3, 4, 1],
    [0, 1, 1, 0, 0, 0],
    [0, 2, 3, 4, 0, 0],
  ];
  const lengths = [5, 3, 2, 5, 2, 3];
  const responseMask = lengths.map((n) => at(inputIds, 0, 'inputIds').map((_, t) => (t >= 1 && t <= n ? 1 : 0)));
  return {
    inputIds,
    attentionMask: responseMask.map((row) => row.map((m, t) => (t === 0 ? 1 : m))),
    responseMask,
    uids: ['g0', 'g0', 'g0', 'g0', 'g1', 'g1'],
    rewards: [1, 0, 0.5, -0.4, 0.3, 0.3],
    turnIds: responseMask.map((row) => row.map(() => 0)),
  };
}

interface Observed {
  metrics: Record<string, number>[];
  weights: number[];
}

async function observe(overrides: string[]): Promise<Observed> {
  const config = loadConfig({ overrides: [...BASE, ...overrides] });
  const policy = new BigramPolicy({ vocabSize: VOCAB, seed: 1 });
  const ref = new BigramPolicy({ vocabSize: VOCAB, seed: 1 });
  const updater = new GrpoUpdater(policy, grpoConfigFor(config));
  const metrics: Record<string, number>[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const b = batch();
      if (config.grpo.useKlLoss) {
        const lp = tf.tidy(() =>
          ref.computeLogProbs({
            inputIds: tf.tensor2d(b.inputIds, undefined, 'int32'),
            attentionMask: tf.tensor2d(b.attentionMask, undefined, 'int32'),
          }),
        );
        b.refLogProbs = (await lp.array()) as number[][];
        lp.dispose();
      }
      metrics.push(await updater.update(b));
    }
    return { metrics, weights: Array.from(await at(policy.trainableVariables, 0, 'policy.trainableVariables').data()) };
  } finally {
    updater.dispose();
    policy.dispose();
    ref.dispose();
  }
}

/** `override` on top of `context` changes what the update reports or does. */
async function expectChanges(override: string, context: string[] = []): Promise<void> {
  const before = await observe(context);
  const after = await observe([...context, override]);
  expect(after, `${override} had no observable effect`).not.toEqual(before);
}

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

const KL = ['grpo.useKlLoss=true'];
const COSINE = ['grpo.lrScheduler=cosine', 'grpo.totalTrainingSteps=3'];

describe('grpo.* options of the trainer config change the update', () => {
  it('grpo.advEstimator changes the update', () => expectChanges('grpo.advEstimator=rloo'));
  it('grpo.epsilon changes the update', () => expectChanges('grpo.epsilon=0.5'));
  it('grpo.normAdvByStd changes the update', () => expectChanges('grpo.normAdvByStd=false'));
  it('grpo.scaleRewards changes the update', () => expectChanges('grpo.scaleRewards=none'));
  it('grpo.maskZeroStdGroups changes the update', () => expectChanges('grpo.maskZeroStdGroups=true'));
  it('grpo.lr changes the update', () => expectChanges('grpo.lr=0.05'));
  it('grpo.lrScheduler changes the update', () => expectChanges('grpo.lrScheduler=cosine'));
  it('grpo.lrWarmupSteps changes the update', () => expectChanges('grpo.lrWarmupSteps=2'));
  it('grpo.totalTrainingSteps changes the update', () =>
    expectChanges('grpo.totalTrainingSteps=2', ['grpo.lrScheduler=cosine']));
  it('grpo.minLrRatio changes the update', () => expectChanges('grpo.minLrRatio=0.5', COSINE));
  it('grpo.numCycles changes the update', () => expectChanges('grpo.numCycles=0.25', COSINE));
  it('grpo.weightDecay changes the update', () => expectChanges('grpo.weightDecay=0.3'));
  it('grpo.betas changes the update', () => expectChanges('grpo.betas=[0.5,0.9]'));
  it('grpo.adamEpsilon changes the update', () => expectChanges('grpo.adamEpsilon=0.5'));
  it('grpo.gradClip changes the update', () => expectChanges('grpo.gradClip=0.001'));
  it('grpo.clipRatioLow changes the update', () => expectChanges('grpo.clipRatioLow=0.001'));
  it('grpo.clipRatioHigh changes the update', () => expectChanges('grpo.clipRatioHigh=0.001'));
  it('grpo.clipRatioC changes the update', () => expectChanges('grpo.clipRatioC=1.001'));
  it('grpo.logRatioClip changes the update', () => expectChanges('grpo.logRatioClip=0.001'));
  it('grpo.clipMode changes the update', () => expectChanges('grpo.clipMode=turn'));
  it('grpo.lossAggMode changes the update', () => expectChanges('grpo.lossAggMode=seq-mean-token-sum'));
  it('grpo.ppoEpochs changes the update', () => expectChanges('grpo.ppoEpochs=1'));
  it('grpo.ppoMiniBatchSize changes the update', () => expectChanges('grpo.ppoMiniBatchSize=2'));
  it('grpo.ppoMicroBatchSize changes the update', () => expectChanges('grpo.ppoMicroBatchSize=1'));
  it('grpo.useKlLoss changes the update', () => expectChanges('grpo.useKlLoss=true'));
  it('grpo.klLossCoef changes the update', () => expectChanges('grpo.klLossCoef=2', KL));
  it('grpo.klLossType changes the update', () => expectChanges('grpo.klLossType=mse', KL));
  it('grpo.entropyCoeff changes the update', () => expectChanges('grpo.entropyCoeff=0.5'));

  it('a cosine schedule without totalTrainingSteps spans trainer.totalSteps', async () => {
    const run = async (totalSteps: number) =>
      at(
        (await observe(['grpo.lrScheduler=cosine', `trainer.totalSteps=${totalSteps}`])).metrics,
        1,
        'metrics records',
      )['actor/lr'];
    // second update at progress 1/2 of a 2-step schedule: half of lr; of a 300-step schedule: nearly lr
    expect(await run(2)).toBeCloseTo(0.25, 6);
    expect(await run(300)).toBeGreaterThan(0.49);
  });

  it('validation and defaults are @magic/grpo own', () => {
    expect(() => loadConfig({ overrides: ['grpo.clipRatioC=1'] })).toThrow(/grpo\.clipRatioC/);
    expect(() => loadConfig({ overrides: ['grpo.klLossType=k9'] })).toThrow(/grpo\.klLossType/);
    const g = loadConfig().grpo;
    expect(g).toMatchObject({ advEstimator: 'grpo', scaleRewards: 'group', normAdvByStd: true });
    expect(g).toMatchObject({ maskZeroStdGroups: false, klLossType: 'low_var_kl', lrScheduler: 'constant' });
    const c = loadConfig({
      overrides: ['algorithm.adv_estimator=rloo', 'actor_rollout_ref.actor.kl_loss_type=mse'],
    });
    expect(c.grpo).toMatchObject({ advEstimator: 'rloo', klLossType: 'mse' });
  });
});

describe('grpo.gradientCheckpointing', () => {
  it('grpo.gradientCheckpointing lowers the peak memory of an update', async () => {
    const peak = async (on: boolean) => {
      const model = await CausalLM.fromPreset('tiny', { seed: 21 });
      const config = loadConfig({ overrides: [`grpo.gradientCheckpointing=${on}`, 'grpo.ppoMicroBatchSize=4'] });
      const player = new LmPlayer('defender', model, config);
      const ids = model.tokenizer.encode('a short neutral prompt for the memory test');
      const row = [...ids, 7, 9, 11];
      const b = {
        inputIds: [row, row, row, row],
        attentionMask: [row.map(() => 1), row.map(() => 1), row.map(() => 1), row.map(() => 1)],
        responseMask: [0, 1, 2, 3].map(() => row.map((_, t) => (t >= ids.length ? 1 : 0))),
        uids: ['g', 'g', 'g', 'g'],
        rewards: [1, 0, -1, 0.5],
      };
      const oldLogProbs = await player.computeLogProbs(b);
      const info = await tf.profile(() => player.update({ ...b, oldLogProbs }));
      player.updater.dispose();
      model.dispose();
      return info.peakBytes;
    };
    expect(await peak(true)).toBeLessThan(await peak(false));
  });
});
