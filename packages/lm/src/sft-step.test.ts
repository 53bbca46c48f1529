import { at } from '@magic/core';
import { initBackend } from '@magic/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';
import { LmConfigError } from './errors.js';
import { SftTrainer } from './sft.js';
import type { TokenizedExample } from './sft-data.js';

beforeAll(async () => {
  await initBackend({ device: 'wasm' });
});

// two examples with different label counts: the two loss reductions weigh them differently
const A: TokenizedExample = { ids: [5, 6, 7, 8, 9, 10], lossMask: [0, 0, 1, 1, 1, 1] };
const B: TokenizedExample = { ids: [11, 12, 13], lossMask: [0, 0, 1] };

async function weights(lm: CausalLM): Promise<Float32Array[]> {
  return Promise.all(lm.trainableVariables.map(async (v) => Float32Array.from(await v.data())));
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, i) => {
    for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(at(x, j, 'x') - at(at(b, i, 'b'), j, 'b[i]')));
  });
  return m;
}

async function oneStep(
  micro: TokenizedExample[][],
  config: Record<string, unknown>,
): Promise<{ loss: number; w: Float32Array[] }> {
  const lm = await CausalLM.fromPreset('tiny', { seed: 3 });
  const t = new SftTrainer(lm, { learningRate: 1e-2, totalSteps: 4, schedule: 'constant', ...config });
  try {
    const log = await t.trainStep(micro);
    return { loss: log.loss, w: await weights(lm) };
  } finally {
    t.dispose();
    lm.dispose();
  }
}

describe('SftTrainer.trainStep', () => {
  it("lossReduction 'token-mean': micro-batches [A], [B] train exactly like one batch [A, B]", async () => {
    const whole = await oneStep([[A, B]], {});
    const split = await oneStep([[A], [B]], { lossReduction: 'token-mean' });
    const meanOfMeans = await oneStep([[A], [B]], {});
    expect(split.loss).toBeCloseTo(whole.loss, 5);
    // Adam's first step moves each weight by about lr = 1e-2; the two batch shapes sum in a different order inside
    // the wasm GEMM (XNNPACK blocks by shape), so the weights agree to float rounding, not bit for bit
    expect(maxDiff(split.w, whole.w)).toBeLessThan(1e-5);
    // the default averages the two micro-batch means: B's one label weighs as much as A's four
    expect(Math.abs(meanOfMeans.loss - whole.loss)).toBeGreaterThan(1e-4);
    expect(maxDiff(meanOfMeans.w, whole.w)).toBeGreaterThan(1e-3);
  });

  it('the fused AdamW hook declines off WebGPU: the default and adamwUpdate null give the same weights', async () => {
    const fusedDefault = await oneStep([[A, B]], {});
    const lm = await CausalLM.fromPreset('tiny', { seed: 3 });
    const before = await weights(lm);
    const t = new SftTrainer(lm, { learningRate: 1e-2, totalSteps: 4, schedule: 'constant' }, { adamwUpdate: null });
    await t.trainStep([[A, B]]);
    expect(await weights(lm)).toEqual(fusedDefault.w);
    expect(maxDiff(before, fusedDefault.w)).toBeGreaterThan(1e-3);
    t.dispose();
    lm.dispose();
  });

  it('rejects an empty step', async () => {
    const lm = await CausalLM.fromPreset('tiny', { seed: 3 });
    const t = new SftTrainer(lm, { totalSteps: 2 });
    await expect(t.trainStep([])).rejects.toThrow(LmConfigError);
    await expect(t.trainStep([[A], []])).rejects.toThrow(/non-empty micro-batch/);
    expect(t.step).toBe(0);
    t.dispose();
    lm.dispose();
  });
});

describe('SftTrainer.learningRateAt', () => {
  it("warm-up 'from-zero' (default) against 'from-first-step', decay end 'after-last-step' against 'at-last-step'", async () => {
    const lm = await CausalLM.fromPreset('tiny', { seed: 3 });
    const base = { learningRate: 1, totalSteps: 10, warmupSteps: 2, schedule: 'cosine' as const };
    const hf = new SftTrainer(lm, base);
    const phase1 = new SftTrainer(lm, { ...base, warmup: 'from-first-step', decayEnd: 'at-last-step' });
    expect([0, 1, 2].map((i) => hf.learningRateAt(i))).toEqual([0, 0.5, 1]);
    expect([0, 1, 2].map((i) => phase1.learningRateAt(i))).toEqual([1 / 3, 2 / 3, 1]);
    expect(hf.learningRateAt(9)).toBeCloseTo((1 + Math.cos((Math.PI * 7) / 8)) / 2, 12);
    expect(phase1.learningRateAt(9)).toBe(0);
    const linear = new SftTrainer(lm, { ...base, schedule: 'linear', warmupSteps: 0 });
    expect(linear.learningRateAt(5)).toBeCloseTo(0.5, 12);
    for (const t of [hf, phase1, linear]) t.dispose();
    lm.dispose();
  });
});
