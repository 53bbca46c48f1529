import { at, defined } from '@magic/core';
import { type GrpoBatch, GrpoUpdater } from '@magic/grpo';
import { CausalLM } from '@magic/lm';
import { initBackend, releaseWebGpu } from '@magic/tensor';
import { adamwStep, axpyInPlace, sumOfSquares } from '@magic/tensor/kernels';
import { afterAll, expect, it } from 'vitest';
import { causalLmPolicy } from './lm-player.js';

afterAll(() => releaseWebGpu());

/** One GRPO update of the tiny model on WebGPU (software adapter), two micro-batches, a clip that scales. */
async function update(inPlace: boolean): Promise<{ gradNorm: number; params: Float32Array[] }> {
  await initBackend({ device: 'webgpu', allowSoftwareAdapter: true });
  const lm = await CausalLM.fromPreset('tiny', { seed: 11 });
  try {
    const updater = new GrpoUpdater(
      causalLmPolicy(lm),
      { lr: 1e-3, gradClip: 1e-3, ppoMicroBatchSize: 2 },
      { adamwUpdate: adamwStep, sumOfSquares, ...(inPlace ? { axpyInPlace } : {}) },
    );
    const ids = [1, 2, 3, 4].map((r) => Array.from({ length: 12 }, (_, t) => ((r * 17 + t * 5) % 40) + 3));
    const batch: GrpoBatch = {
      inputIds: ids,
      attentionMask: ids.map((row) => row.map(() => 1)),
      responseMask: ids.map((row) => row.map((_, t) => (t >= 6 ? 1 : 0))),
      uids: ['a', 'a', 'b', 'b'],
      rewards: [1, 0, 0.5, 0],
    };
    const metrics = await updater.update(batch);
    const params = await Promise.all(lm.trainableVariables.map(async (v) => (await v.data()) as Float32Array));
    updater.dispose();
    return { gradNorm: defined(metrics['actor/gradNorm'], "metrics['actor/gradNorm']"), params };
  } finally {
    lm.dispose();
  }
}

// @magic/tensor's axpyInPlace plugged into the updater (as LmPlayer does): gradients accumulated and clip-scaled in
// their own buffers give the same pre-clip norm and the same parameters as the functional path.
it('in-place gradient accumulation and clip scaling on WebGPU match the functional path', async () => {
  const plain = await update(false);
  const inPlace = await update(true);
  expect(plain.gradNorm).toBeGreaterThan(1e-3); // the clip scales
  expect(inPlace.gradNorm).toBeCloseTo(plain.gradNorm, 5);
  for (const [i, p] of plain.params.entries()) {
    const q = at(inPlace.params, i, 'inPlace.params');
    let worst = 0;
    for (let j = 0; j < p.length; j++) worst = Math.max(worst, Math.abs(at(p, j, 'p') - at(q, j, 'q')));
    expect(worst, `variable ${i}`).toBeLessThan(1e-5);
  }
}, 60_000);
