import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at } from '@magic/core';
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { LmPlayer } from './lm-player.js';
import { batchFor } from './lm-player.test-helpers.js';
import { lrFactor, runSft, tokenizeSftExample } from './sft.js';
import { readAlpacaChats } from './shipped-data.js';

const config = loadConfig({ overrides: ['grpo.lr=0.01', 'grpo.ppoMicroBatchSize=2'] });

describe('LmPlayer', () => {
  beforeAll(async () => {
    await initBackend({ device: 'cpu' });
  });

  it('updates, then restores weights and AdamW state exactly from its checkpoint (no tensor leaks)', async () => {
    const model = await CausalLM.fromPreset('tiny', { seed: 3 });
    const player = new LmPlayer('defender', model, config);
    const batch = batchFor(model);
    const before = await player.parameterFingerprint();
    await player.update({ ...batch, oldLogProbs: await player.computeLogProbs(batch) });
    expect(await player.parameterFingerprint()).not.toBe(before);

    const dir = mkdtempSync(join(tmpdir(), 'lm-player-'));
    await player.saveCheckpoint(dir);
    const afterOne = await player.parameterFingerprint();
    // a second update from the saved state ...
    const m1 = await player.update({ ...batch, oldLogProbs: await player.computeLogProbs(batch) });
    const afterTwo = await player.parameterFingerprint();

    // ... is reproduced by a fresh player restored from the checkpoint
    const fresh = new LmPlayer('defender', await CausalLM.fromPreset('tiny', { seed: 99 }), config);
    await fresh.loadCheckpoint(dir);
    expect(await fresh.parameterFingerprint()).toBe(afterOne);
    const tensorsBefore = tf.memory().numTensors;
    const lp = await fresh.computeLogProbs(batch);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(lp.length).toBe(4);
    const m2 = await fresh.update({ ...batch, oldLogProbs: lp });
    expect(await fresh.parameterFingerprint()).toBe(afterTwo);
    expect(m2['actor/pgLoss']).toBe(m1['actor/pgLoss']);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    model.dispose();
  });

  it('computeLogProbs with a responseMask: the same log-probs on response tokens, the prompt columns skipped', async () => {
    const model = await CausalLM.fromPreset('tiny', { seed: 6 });
    const player = new LmPlayer('defender', model, config); // micro-batches of 2 rows
    const batch = batchFor(model);
    const full = await player.computeLogProbs({ inputIds: batch.inputIds, attentionMask: batch.attentionMask });
    const part = await player.computeLogProbs(batch);
    for (const [b, row] of part.entries()) {
      const microRows = b < 2 ? [0, 1] : [2, 3];
      const from = Math.min(...microRows.map((r) => at(batch.responseMask, r, 'batch.responseMask').indexOf(1)));
      expect(from).toBeGreaterThan(1);
      for (const [t, x] of row.entries()) {
        if (t >= from) expect(x).toBeCloseTo(at(at(full, b, 'full'), t, 'full[b]'), 5);
        else expect(x).toBe(0);
      }
    }
    model.dispose();
  });

  it('supports an entropy bonus (the policy adapter exposes entropy)', async () => {
    const model = await CausalLM.fromPreset('tiny', { seed: 4 });
    const withEntropy = loadConfig({ overrides: ['grpo.entropyCoeff=0.01', 'grpo.ppoMicroBatchSize=4'] });
    const player = new LmPlayer('attacker', model, withEntropy);
    const batch = batchFor(model);
    const m = await player.update({ ...batch, oldLogProbs: await player.computeLogProbs(batch) });
    expect(Number.isFinite(m['actor/pgLoss'])).toBe(true);
    expect(Object.keys(m).some((k) => k.toLowerCase().includes('entropy'))).toBe(true);
    model.dispose();
  });

  it('SFT lowers the loss on a repeated example and frees its tensors', async () => {
    const model = await CausalLM.fromPreset('tiny', { seed: 5 });
    const chat = [
      { role: 'user' as const, content: 'How do I bake bread?' },
      { role: 'assistant' as const, content: '<think>plan</think><answer>Mix, knead, bake.</answer>' },
    ];
    const ex = tokenizeSftExample(model, chat, 1024);
    expect(ex.labelMask.some((m) => m === 0)).toBe(true);
    expect(ex.labelMask.at(-1)).toBe(1);
    const cut = tokenizeSftExample(model, chat, ex.labelMask.filter((m) => m === 1).length + 3);
    expect(cut.labelMask.filter((m) => m === 1).length).toBe(ex.labelMask.filter((m) => m === 1).length);
    const n = tf.memory().numTensors;
    const r = await runSft(
      model,
      [chat, chat],
      {
        ...config.phase1.sft,
        lr: 0.01,
        epochs: 8,
        batchSize: 2,
        maxLength: 256,
        warmupRatio: 0,
        lrScheduler: 'constant',
      },
      { seed: 1 },
    );
    expect(r.steps).toBe(8);
    expect(r.lastLoss).toBeLessThan(r.firstLoss);
    expect(tf.memory().numTensors).toBe(n);
    model.dispose();
  });

  it('lrFactor: warm-up then cosine to 0', () => {
    const cfg = { warmupRatio: 0.2, lrScheduler: 'cosine' as const };
    expect(lrFactor(0, 10, cfg)).toBeCloseTo(1 / 3);
    expect(lrFactor(2, 10, cfg)).toBeCloseTo(1);
    expect(lrFactor(9, 10, cfg)).toBeCloseTo(0);
  });
});

describe('readAlpacaChats', () => {
  it('maps alpaca rows to system/user/assistant and names a bad row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alpaca-'));
    const good = join(dir, 'pool.json');
    writeFileSync(
      good,
      JSON.stringify([
        { instruction: 'Task:\nx', input: '', output: '<think>a</think><answer>b</answer>', system: 's' },
      ]),
    );
    expect(readAlpacaChats(good)).toEqual([
      [
        { role: 'system', content: 's' },
        { role: 'user', content: 'Task:\nx' },
        { role: 'assistant', content: '<think>a</think><answer>b</answer>' },
      ],
    ]);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ instruction: 'x', input: '', system: '' }]));
    expect(() => readAlpacaChats(bad)).toThrow(ConfigError);
    expect(() => readAlpacaChats(bad)).toThrow(/row 0\.output/);
  });
});
