import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGuard, TEST_PROMPTS, TEST_SEEDS } from './__fixtures__/game.js';
import type { Episode } from './episode.js';
import { LocalGenerator } from './local-generator.js';
import { runRollout } from './rollout.js';
import { toTrainingBatch } from './training-batch.js';

let attackerModel: CausalLM;
let defenderModel: CausalLM;

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
  attackerModel = await CausalLM.fromPreset('tiny', { seed: 1 });
  defenderModel = await CausalLM.fromPreset('tiny', { seed: 2 });
});

afterAll(() => {
  attackerModel.dispose();
  defenderModel.dispose();
});

/** Re-scores every row with tokenLogProbs and returns the largest gap to the recorded sampling log-probs. */
function maxRescoreGap(model: CausalLM, episodes: Episode[], role: 'attacker' | 'defender'): number {
  const batch = toTrainingBatch(episodes, role, {
    rewards: episodes.map(() => 0),
    padTokenId: model.tokenizer.padTokenId,
  });
  const rescored = tf.tidy(() => {
    const ids = tf.tensor2d(batch.inputIds, undefined, 'int32');
    const mask = tf.tensor2d(batch.attentionMask, undefined, 'int32');
    return model.tokenLogProbs(ids, mask).logProbs.arraySync();
  });
  let gap = 0;
  batch.responseMask.forEach((row, b) => {
    row.forEach((m, t) => {
      if (m === 1) gap = Math.max(gap, Math.abs(rescored[b]![t]! - batch.oldLogProbs![b]![t]!));
    });
  });
  return gap;
}

describe('rollout with real tiny @magic/lm models', () => {
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
        const full0 = [...turns[0]!.promptIds!, ...turns[0]!.tokenIds!];
        expect(turns[1]!.promptIds!.slice(0, full0.length)).toEqual(full0);
        for (const t of turns) {
          expect(t.tokenIds!.length).toBeGreaterThan(0);
          expect(t.tokenIds!.length).toBeLessThanOrEqual(12);
        }
      }
    }
    const attackerGap = maxRescoreGap(attackerModel, episodes, 'attacker');
    const defenderGap = maxRescoreGap(defenderModel, episodes, 'defender');
    console.info(`re-score gap: attacker ${attackerGap.toExponential(2)}, defender ${defenderGap.toExponential(2)}`);
    expect(attackerGap).toBeLessThanOrEqual(1e-4);
    expect(defenderGap).toBeLessThanOrEqual(1e-4);
    expect(tf.memory().numTensors).toBe(before);
  });
});
