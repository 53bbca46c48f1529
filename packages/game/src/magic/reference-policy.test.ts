import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { ReferencePolicyError } from '../errors.js';
import { LmPlayer } from './lm-player.js';
import { batchFor } from './lm-player.test-helpers.js';

const klConfig = (coef: number, type = 'low_var_kl') =>
  loadConfig({
    overrides: [
      'grpo.lr=0.01',
      'grpo.ppoMicroBatchSize=4',
      'grpo.useKlLoss=true',
      `grpo.klLossCoef=${coef}`,
      `grpo.klLossType=${type}`,
    ],
  });

/** One GRPO step as the phase-2 stages run it: old and reference log-probs first, then the update. */
async function step(player: LmPlayer, batch: ReturnType<typeof batchFor>) {
  const oldLogProbs = await player.computeLogProbs(batch);
  const refLogProbs = await player.computeRefLogProbs(batch);
  return player.update({ ...batch, oldLogProbs, refLogProbs });
}

describe('reference policy (grpo.useKlLoss)', () => {
  beforeAll(async () => {
    await initBackend({ device: 'cpu' });
  });

  it('KL is 0 at the frozen weights, > 0 after an update, and actor/loss moves by klLossCoef·klLoss', async () => {
    const models = [await CausalLM.fromPreset('tiny', { seed: 11 }), await CausalLM.fromPreset('tiny', { seed: 11 })];
    const start = tf.memory().numTensors;
    const players = [
      new LmPlayer('defender', at(models, 0, 'models'), klConfig(0.5)),
      new LmPlayer('defender', at(models, 1, 'models'), klConfig(2)),
    ];
    for (const p of players) await p.beginPhase2();
    expect(players.every((p) => p.hasReference)).toBe(true);
    const batch = batchFor(at(models, 0, 'models'));
    const first = await Promise.all(players.map((p) => step(p, batch)));
    // the reference is the current policy before the first update: KL 0, the same step whatever the coefficient
    for (const m of first) expect(m['actor/klLoss']).toBeCloseTo(0, 6);
    expect(await at(players, 0, 'players').parameterFingerprint()).toBe(
      await at(players, 1, 'players').parameterFingerprint(),
    );
    const [a, b] = await Promise.all(players.map((p) => step(p, batch)));
    expect(defined(a, 'a')['actor/klLoss']).toBeGreaterThan(0);
    expect(defined(b, 'b')['actor/klLoss']).toBeCloseTo(
      defined(defined(a, 'a')['actor/klLoss'], "a['actor/klLoss']"),
      6,
    );
    expect(defined(b, 'b')['actor/pgLoss']).toBeCloseTo(
      defined(defined(a, 'a')['actor/pgLoss'], "a['actor/pgLoss']"),
      6,
    );
    expect(
      defined(defined(b, 'b')['actor/loss'], "b['actor/loss']") -
        defined(defined(a, 'a')['actor/loss'], "a['actor/loss']"),
    ).toBeCloseTo((2 - 0.5) * defined(defined(a, 'a')['actor/klLoss'], "a['actor/klLoss']"), 5);
    for (const p of players) p.disposeReference();
    for (const p of players) p.updater.dispose();
    expect(tf.memory().numTensors).toBe(start);
    for (const m of models) m.dispose();
  });

  it('the reference stays at the phase-2 weights while training moves the policy, and travels with a checkpoint', async () => {
    const model = await CausalLM.fromPreset('tiny', { seed: 12 });
    const player = new LmPlayer('attacker', model, klConfig(1, 'mse'));
    await player.beginPhase2();
    const batch = batchFor(model);
    const frozen = await player.computeRefLogProbs(batch);
    await step(player, batch);
    await step(player, batch);
    expect(await player.computeRefLogProbs(batch)).toEqual(frozen);
    expect(await player.computeLogProbs(batch)).not.toEqual(frozen);
    const dir = mkdtempSync(join(tmpdir(), 'magic-ref-'));
    await player.saveCheckpoint(dir);
    const fresh = new LmPlayer('attacker', await CausalLM.fromPreset('tiny', { seed: 99 }), klConfig(1, 'mse'));
    expect(fresh.hasReference).toBe(false);
    await fresh.loadCheckpoint(dir);
    expect(await fresh.computeRefLogProbs(batch)).toEqual(frozen);
    expect(await fresh.computeLogProbs(batch)).toEqual(await player.computeLogProbs(batch));
    for (const p of [player, fresh]) {
      p.disposeReference();
      p.updater.dispose();
      p.model.dispose();
    }
  });

  it('without useKlLoss no copy is taken, and asking for reference log-probs is a typed error', async () => {
    const model = await CausalLM.fromPreset('tiny', { seed: 13 });
    const player = new LmPlayer('defender', model, loadConfig({}));
    const before = tf.memory().numTensors;
    await player.beginPhase2();
    expect(player.hasReference).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => player.computeRefLogProbs(batchFor(model))).toThrow(ReferencePolicyError);
    model.dispose();
  });
});
