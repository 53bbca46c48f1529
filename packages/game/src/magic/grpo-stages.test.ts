import { at, defined } from '@magic/core';
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { LmPlayer } from './lm-player.js';
import { batchFor } from './lm-player.test-helpers.js';
import { rewardConfigFor } from './reward-config.js';
import { createMagicStages, createStepData, type MagicParts, type MagicStepData } from './stages.js';

// The phase-2 "advantages" stage computes the GRPO advantages; the "update" stage steps on exactly those.

const config = loadConfig({ overrides: ['grpo.lr=0.01', 'grpo.ppoMicroBatchSize=2'] });

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

function context(data: MagicStepData) {
  const metrics: Record<string, number> = {};
  return { step: 1, totalSteps: 1, role: 'defender' as const, runDir: '', data, metrics, generatedTokens: 0 };
}

async function setUp(seed: number) {
  const model = await CausalLM.fromPreset('tiny', { seed });
  const player = new LmPlayer('defender', model, config);
  const parts = {
    config,
    players: { attacker: player, defender: player },
    guard: { name: 'unused' },
    attackerPrompts: {},
    rewardConfig: rewardConfigFor(config),
  } as unknown as MagicParts;
  const batch = batchFor(model);
  // other response tokens in the second row of each group: identical rows' gradients would cancel in the group
  for (const r of [1, 3])
    batch.inputIds[r] = at(batch.inputIds, r, 'batch.inputIds').map((id, t) =>
      at(batch.responseMask, r, 'batch.responseMask')[t] ? id + 4 : id,
    );
  const data = createStepData([]);
  data.batch = { ...batch, oldLogProbs: await player.computeLogProbs(batch) };
  return { model, player, stages: createMagicStages(parts), data };
}

describe('GRPO stages', () => {
  it('advantages stage: the group-normalised rewards, broadcast to the response tokens', async () => {
    const { model, player, stages, data } = await setUp(3);
    const ctx = context(data);
    await stages.advantages(ctx);
    const adv = defined(data.advantages, 'data.advantages');
    // groups g0 = [1, −1] and g1 = [0.5, −0.5]: (r − mean)/(std + 1e-6) with the unbiased std √2 and √0.5
    expect(adv.advantages[0]).toBeCloseTo(1 / (Math.SQRT2 + 1e-6), 9);
    expect(adv.advantages[1]).toBeCloseTo(-1 / (Math.SQRT2 + 1e-6), 9);
    expect(adv.advantages[2]).toBeCloseTo(0.5 / (Math.sqrt(0.5) + 1e-6), 9);
    expect(adv.numGroups).toBe(2);
    expect(at(adv.tokenAdvantages, 0, 'adv.tokenAdvantages').filter((a) => a !== 0)).toEqual([
      adv.advantages[0],
      adv.advantages[0],
    ]);
    expect(ctx.metrics).toMatchObject({ 'rollout/num_groups': 2, 'train/response_tokens': 8 });
    player.updater.dispose();
    model.dispose();
  });

  it('update stage steps on the advantages the advantages stage left (not on a recomputation)', async () => {
    const a = await setUp(4);
    const b = await setUp(4);
    const ca = context(a.data);
    const cb = context(b.data);
    await a.stages.advantages(ca);
    await b.stages.advantages(cb);
    // flip the sign of b's advantages between the stages: its step must follow them, the other way
    const adv = defined(b.data.advantages, 'b.data.advantages');
    b.data.advantages = {
      ...adv,
      advantages: adv.advantages.map((x) => -x),
      tokenAdvantages: adv.tokenAdvantages.map((row) => row.map((x) => -x)),
    };
    const snapshot = (m: CausalLM) => Promise.all(m.trainableVariables.map((v) => v.data()));
    const initial = await snapshot(a.model);
    await a.stages.update(ca);
    await b.stages.update(cb);
    expect(ca.metrics).toMatchObject({ 'train/skipped_update': 0, 'actor/numOptimizerSteps': 1 });
    expect(cb.metrics['train/skipped_update']).toBe(0);
    expect(ca.metrics['critic/advantages/max']).toBeCloseTo(
      -defined(cb.metrics['critic/advantages/min'], "cb.metrics['critic/advantages/min']"),
      9,
    );
    // flipped advantages flip the gradient, and AdamW's first step is lr·g/(|g| + ε): the two moves are opposite,
    // around the decayed start p0·(1 − lr·wd)
    const lr = defined(ca.metrics['actor/lr'], "ca.metrics['actor/lr']");
    const keep = 1 - lr * config.grpo.weightDecay;
    const [pa, pb] = await Promise.all([snapshot(a.model), snapshot(b.model)]);
    let moved = 0;
    initial.forEach((p0, v) => {
      for (let i = 0; i < p0.length; i++) {
        expect((at(at(pa, v, 'pa'), i, 'pa[v]') + at(at(pb, v, 'pb'), i, 'pb[v]')) / 2).toBeCloseTo(
          at(p0, i, 'p0') * keep,
          6,
        );
        moved = Math.max(moved, Math.abs(at(at(pa, v, 'pa'), i, 'pa[v]') - at(at(pb, v, 'pb'), i, 'pb[v]')));
      }
    });
    expect(lr).toBeGreaterThan(0);
    expect(moved).toBeGreaterThan(lr);

    // without advantages (no batch trained this step) the update is skipped
    const empty = context(createStepData([]));
    await a.stages.update(empty);
    expect(empty.metrics).toEqual({ 'train/skipped_update': 1 });
    for (const s of [a, b]) {
      s.player.updater.dispose();
      s.model.dispose();
    }
  });
});
