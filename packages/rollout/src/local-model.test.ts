import { at, defined } from '@magic/core';
import { CausalLM } from '@magic/lm';
import { initBackend, releaseWebGpu } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGuard, TEST_PROMPTS, TEST_SEEDS } from './__fixtures__/game.js';
import type { Episode } from './episode.js';
import { LocalGenerator } from './local-generator.js';
import { runRollout } from './rollout.js';
import { toTrainingBatch } from './training-batch.js';

afterAll(() => releaseWebGpu());

/** Re-scores every row with tokenLogProbs and returns the largest gap to the recorded sampling log-probs. */
async function maxRescoreGap(model: CausalLM, episodes: Episode[], role: 'attacker' | 'defender'): Promise<number> {
  const batch = toTrainingBatch(episodes, role, {
    rewards: episodes.map(() => 0),
    padTokenId: model.tokenizer.padTokenId,
  });
  const logProbs = tf.tidy(() => {
    const ids = tf.tensor2d(batch.inputIds, undefined, 'int32');
    const mask = tf.tensor2d(batch.attentionMask, undefined, 'int32');
    return model.tokenLogProbs(ids, mask).logProbs;
  });
  const rescored = (await logProbs.array()) as number[][];
  logProbs.dispose();
  let gap = 0;
  batch.responseMask.forEach((row, b) => {
    row.forEach((m, t) => {
      if (m === 1)
        gap = Math.max(
          gap,
          Math.abs(
            at(at(rescored, b, 'rescored'), t, 'rescored[b]') -
              at(
                at(defined(batch.oldLogProbs, 'batch.oldLogProbs'), b, 'batch.oldLogProbs'),
                t,
                'batch.oldLogProbs[b]',
              ),
          ),
        );
    });
  });
  return gap;
}

// webgpu = the software adapter: decoding there is replayed from a dispatch graph (@magic/lm's DecodeGraph)
for (const device of ['cpu', 'webgpu'] as const) {
  describe(`rollout with real tiny @magic/lm models (${device})`, () => {
    let attackerModel: CausalLM;
    let defenderModel: CausalLM;

    beforeAll(async () => {
      await initBackend({ device, allowSoftwareAdapter: true });
      attackerModel = await CausalLM.fromPreset('tiny', { seed: 1 });
      defenderModel = await CausalLM.fromPreset('tiny', { seed: 2 });
    }, 60_000);

    afterAll(() => {
      attackerModel.dispose();
      defenderModel.dispose();
    });

    it('2-turn game: episode ids re-score to the recorded sampling log-probs (<= 1e-4), no tensor leaks', async () => {
      const before = tf.memory().numTensors;
      const episodes = await runRollout({
        seeds: TEST_SEEDS,
        n: 2,
        attacker: new LocalGenerator({ model: attackerModel, id: 'tiny-attacker' }),
        defender: new LocalGenerator({ model: defenderModel, id: 'tiny-defender' }),
        guard: new FakeGuard(),
        trainingRole: 'attacker',
        attackerPrompts: TEST_PROMPTS,
        config: { maxNumTurns: 2, maxResponseLength: 12, maxPromptLength: 1000, stopWhenTruncated: false, seed: 5 },
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(episodes).toHaveLength(4);
      for (const e of episodes) {
        expect(e.numTurns).toBe(2);
        for (const role of ['attacker', 'defender'] as const) {
          const turns = e[role].turns;
          expect(turns).toHaveLength(2);
          const full0 = [
            ...defined(at(turns, 0, 'turns').promptIds, 'turns[0].promptIds'),
            ...defined(at(turns, 0, 'turns').tokenIds, 'turns[0].tokenIds'),
          ];
          expect(defined(at(turns, 1, 'turns').promptIds, 'turns[1].promptIds').slice(0, full0.length)).toEqual(full0);
          for (const t of turns) {
            expect(defined(t.tokenIds, 't.tokenIds').length).toBeGreaterThan(0);
            expect(defined(t.tokenIds, 't.tokenIds').length).toBeLessThanOrEqual(12);
          }
        }
      }
      const attackerGap = await maxRescoreGap(attackerModel, episodes, 'attacker');
      const defenderGap = await maxRescoreGap(defenderModel, episodes, 'defender');
      console.info(`re-score gap: attacker ${attackerGap.toExponential(2)}, defender ${defenderGap.toExponential(2)}`);
      expect(attackerGap).toBeLessThanOrEqual(1e-4);
      expect(defenderGap).toBeLessThanOrEqual(1e-4);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
