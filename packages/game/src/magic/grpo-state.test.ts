import { at } from '@magic/core';
import { BigramPolicy, type GrpoBatch, GrpoUpdater } from '@magic/grpo';
import { initBackend } from '@magic/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.js';
import { readOptimizerState, writeOptimizerState } from './grpo-state.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

const BATCH: GrpoBatch = {
  inputIds: [
    [0, 1, 2],
    [0, 2, 2],
    [0, 3, 1],
    [0, 1, 1],
  ],
  attentionMask: [
    [1, 1, 1],
    [1, 1, 1],
    [1, 1, 1],
    [1, 1, 1],
  ],
  responseMask: [
    [0, 1, 1],
    [0, 1, 1],
    [0, 1, 1],
    [0, 1, 1],
  ],
  uids: ['a', 'a', 'b', 'b'],
  rewards: [1, 0, 0.5, 0],
};

const CONFIG = { lr: 0.1, lrWarmupSteps: 3 };

describe('optimizer state in checkpoint files', () => {
  it('the safetensors entries written from one updater restore another: the next step matches exactly', async () => {
    const a = new BigramPolicy({ vocabSize: 4, hiddenSize: 3, seed: 7 });
    const ua = new GrpoUpdater(a, CONFIG);
    await ua.update(BATCH);
    const { tensors, metadata } = await readOptimizerState(ua);
    expect(Object.keys(tensors).sort()).toEqual(['optim.m.0', 'optim.m.1', 'optim.v.0', 'optim.v.1']);
    expect(metadata).toEqual({ 'optim.step': '1', 'optim.schedulerStep': '1' });

    const b = new BigramPolicy({ vocabSize: 4, hiddenSize: 3, seed: 8 });
    b.trainableVariables.forEach((v, i) => {
      v.assign(at(a.trainableVariables, i, 'a.trainableVariables'));
    });
    const ub = new GrpoUpdater(b, CONFIG);
    writeOptimizerState(ub, 2, new Map(Object.entries(tensors)), metadata, 'train-state.safetensors');
    expect(ub.lr).toBeCloseTo(0.1 / 3, 12); // the warm-up continues at step 1
    await ua.update(BATCH);
    await ub.update(BATCH);
    const [pa, pb] = await Promise.all([
      at(a.trainableVariables, 0, 'a.trainableVariables').data(),
      at(b.trainableVariables, 0, 'b.trainableVariables').data(),
    ]);
    expect(pb).toEqual(pa);
    for (const u of [ua, ub]) u.dispose();
    for (const p of [a, b]) p.dispose();
  });

  it('a missing count or a moment of another shape is a CheckpointError naming the file', async () => {
    const a = new BigramPolicy({ vocabSize: 4, hiddenSize: 3, seed: 9 });
    const ua = new GrpoUpdater(a, CONFIG);
    await ua.update(BATCH);
    const { tensors, metadata } = await readOptimizerState(ua);
    const other = new BigramPolicy({ vocabSize: 4, hiddenSize: 5, seed: 10 });
    const uo = new GrpoUpdater(other, CONFIG);
    const entries = new Map(Object.entries(tensors));
    expect(() => writeOptimizerState(uo, 2, entries, metadata, 'f.safetensors')).toThrow(CheckpointError);
    expect(() => writeOptimizerState(uo, 2, entries, metadata, 'f.safetensors')).toThrow(
      /f\.safetensors: optimizer state: .*shape 4x3 differs from 4x5/,
    );
    expect(() => writeOptimizerState(ua, 2, entries, { 'optim.step': '1' }, 'f.safetensors')).toThrow(
      /optim.schedulerStep missing/,
    );
    for (const u of [ua, uo]) u.dispose();
    for (const p of [a, other]) p.dispose();
  });
});
