import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { initBackend } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';
import { LmCheckpointError, LmInputError } from './errors.js';
import { lrMultiplier } from './schedule.js';
import { SftTrainer } from './sft.js';
import { tokenizeChat } from './sft-data.js';
import { packTokenStream } from './sft-pack.js';

const records = [
  {
    messages: [
      { role: 'user' as const, content: 'How do I bake bread?' },
      { role: 'assistant' as const, content: 'Mix flour and water.' },
    ],
  },
  {
    messages: [
      { role: 'user' as const, content: 'What is the capital of France?' },
      { role: 'assistant' as const, content: 'Paris.' },
    ],
  },
  {
    messages: [
      { role: 'system' as const, content: 'You are a helpful assistant.' },
      { role: 'user' as const, content: 'Say hi.' },
      { role: 'assistant' as const, content: 'Hi!' },
    ],
  },
];
const config = {
  learningRate: 3e-3,
  totalSteps: 8,
  batchSize: 2,
  gradAccumSteps: 2,
  warmupSteps: 2,
  maxLength: 128,
  seed: 1,
};

beforeAll(async () => {
  await initBackend({ device: 'wasm' });
});

async function weightsOf(lm: CausalLM): Promise<Float32Array[]> {
  return Promise.all(lm.trainableVariables.map(async (v) => (await v.data()) as Float32Array));
}

describe('SFT', () => {
  it('masks everything but assistant replies (their <|im_end|> included)', async () => {
    const lm = await CausalLM.fromPreset('tiny', { seed: 1 });
    try {
      const tok = lm.tokenizer;
      const ex = tokenizeChat(tok, at(records, 2, 'records'), 512);
      const trained = ex.ids.filter((_, i) => ex.lossMask[i] === 1);
      expect(tok.decode(trained)).toBe('Hi!<|im_end|>\n');
      expect(() => tokenizeChat(tok, { messages: [{ role: 'user', content: 'x' }] }, 64)).toThrow(LmInputError);
      expect(() => tokenizeChat(tok, { messages: [] }, 64)).toThrow(/record.messages/);
      expect(() => tokenizeChat(tok, at(records, 0, 'records'), 40)).toThrow(/no assistant token within maxLength 40/);
    } finally {
      lm.dispose();
    }
  });

  it('loss decreases on a toy set, with eval loss logged, and no leaks', async () => {
    const lm = await CausalLM.fromPreset('tiny', { seed: 1 });
    const trainer = new SftTrainer(lm, { ...config, learningRate: 1e-2, totalSteps: 20, evalEvery: 4 });
    try {
      const logs = await expectNoLeaks(() => trainer.train(records, { evalSet: records.slice(0, 1) }));
      expect(logs).toHaveLength(20);
      expect(at(logs, 19, 'logs').loss).toBeLessThan(at(logs, 0, 'logs').loss * 0.5);
      expect(defined(at(logs, 19, 'logs').evalLoss, 'logs[19].evalLoss')).toBeLessThan(
        defined(at(logs, 3, 'logs').evalLoss, 'logs[3].evalLoss'),
      );
      expect(at(logs, 3, 'logs').evalLoss).toBeTypeOf('number');
      expect(at(logs, 0, 'logs').lr).toBe(0);
      expect(logs.every((l) => Number.isFinite(l.gradNorm))).toBe(true);
    } finally {
      trainer.dispose();
      lm.dispose();
    }
  });

  it('resume from a checkpoint equals uninterrupted training', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magic-sft-'));
    const a = await CausalLM.fromPreset('tiny', { seed: 2 });
    const b = await CausalLM.fromPreset('tiny', { seed: 2 });
    const ta = new SftTrainer(a, { ...config, totalSteps: 4 });
    const tb = new SftTrainer(b, { ...config, totalSteps: 4 });
    let resumed: SftTrainer | undefined;
    try {
      await ta.train(records);
      await tb.train(records, { steps: 2 });
      await tb.saveCheckpoint(dir);
      resumed = await SftTrainer.fromCheckpoint(dir);
      expect(resumed.step).toBe(2);
      await resumed.train(records);
      const wa = await weightsOf(a);
      const wr = await weightsOf(resumed.model);
      for (const [i, w] of wa.entries()) {
        const r = at(wr, i, 'wr');
        let max = 0;
        for (let j = 0; j < w.length; j++) max = Math.max(max, Math.abs(at(w, j, 'w') - at(r, j, 'r')));
        expect(max).toBeLessThan(1e-6);
      }
    } finally {
      ta.dispose();
      tb.dispose();
      resumed?.dispose();
      resumed?.model.dispose();
      a.dispose();
      b.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a weights-only bf16 checkpoint resumes only as a warm restart, with fresh moments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magic-sft-warm-'));
    const lm = await CausalLM.fromPreset('tiny', { seed: 3 });
    const t = new SftTrainer(lm, { ...config, totalSteps: 4 });
    let resumed: SftTrainer | undefined;
    try {
      await t.train(records, { steps: 2 });
      await t.saveCheckpoint(dir, { optimizer: false, dtype: 'BF16' });
      await expect(SftTrainer.fromCheckpoint(dir)).rejects.toThrow(LmCheckpointError);
      resumed = await SftTrainer.fromCheckpoint(dir, { warmRestart: true });
      expect(resumed.step).toBe(2);
      // bf16 storage: the restored weights equal the trained ones to bf16 precision, not exactly.
      const w = at(await weightsOf(lm), 0, 'trained weights');
      const r = at(await weightsOf(resumed.model), 0, 'restored weights');
      let max = 0;
      for (const [j, x] of w.entries()) max = Math.max(max, Math.abs(x - at(r, j, 'r')) / (Math.abs(x) + 1e-12));
      expect(max).toBeGreaterThan(0);
      expect(max).toBeLessThan(2 ** -8);
      const logs = await resumed.train(records);
      expect(logs.map((l) => l.step)).toEqual([3, 4]);
    } finally {
      t.dispose();
      resumed?.dispose();
      resumed?.model.dispose();
      lm.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pretrains on packed blocks: every token but the first in the loss, tokens counted, eval on blocks', async () => {
    const lm = await CausalLM.fromPreset('tiny', { seed: 4 });
    const stream = records.flatMap((r) => lm.tokenizer.encode(r.messages.map((m) => m.content).join(' ')));
    const blocks = packTokenStream([...stream, ...stream, ...stream], 8);
    const trainer = new SftTrainer(lm, { ...config, learningRate: 1e-2, batchSize: 4, totalSteps: 12, evalEvery: 6 });
    try {
      const logs = await trainer.trainTokenized(blocks, { evalTokenized: blocks.slice(0, 4) });
      expect(at(logs, 0, 'logs').tokens).toBe(4 * 8 * config.gradAccumSteps);
      expect(defined(at(logs, 11, 'logs').evalLoss, 'logs[11].evalLoss')).toBeLessThan(
        defined(at(logs, 5, 'logs').evalLoss, 'logs[5].evalLoss'),
      );
      expect(at(logs, 11, 'logs').loss).toBeLessThan(at(logs, 0, 'logs').loss);
    } finally {
      trainer.dispose();
      lm.dispose();
    }
  });

  it('groupByLength batches examples of similar length and still visits every example once per epoch', async () => {
    const lm = await CausalLM.fromPreset('tiny', { seed: 5 });
    const examples = Array.from({ length: 16 }, (_, i) => ({
      ids: Array.from({ length: 4 + ((i * 7) % 16) }, (_, t) => 1 + ((t + i) % 400)),
      lossMask: Array.from({ length: 4 + ((i * 7) % 16) }, () => 1),
    }));
    const trainer = new SftTrainer(lm, {
      ...config,
      batchSize: 4,
      gradAccumSteps: 1,
      groupByLength: true,
      totalSteps: 4,
    });
    try {
      const seen: number[][] = [];
      const priv = trainer as unknown as { microBatch(e: typeof examples, s: number, k: number): typeof examples };
      for (let s = 0; s < 4; s++) seen.push(priv.microBatch(examples, s, 0).map((e) => e.ids.length));
      expect(seen.flat().sort((a, b) => a - b)).toEqual(examples.map((e) => e.ids.length).sort((a, b) => a - b));
      // sorted within the mega-batch (the whole epoch here): each micro-batch is a run of neighbouring lengths
      for (const b of seen) expect(b).toEqual([...b].sort((x, y) => y - x));
      expect(seen.flat()).toEqual([...seen.flat()].sort((x, y) => y - x));
    } finally {
      trainer.dispose();
      lm.dispose();
    }
  });

  it('warmup + cosine and constant schedules', () => {
    expect(lrMultiplier('cosine', 0, 2, 10)).toBe(0);
    expect(lrMultiplier('cosine', 1, 2, 10)).toBe(0.5);
    expect(lrMultiplier('cosine', 2, 2, 10)).toBe(1);
    expect(lrMultiplier('cosine', 6, 2, 10)).toBeCloseTo(0.5, 10);
    expect(lrMultiplier('cosine', 10, 2, 10)).toBeCloseTo(0, 10);
    expect(lrMultiplier('constant', 7, 2, 10)).toBe(1);
  });
});
