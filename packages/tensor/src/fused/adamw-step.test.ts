import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { expectNoLeaks } from '../leaks.js';
import { adamwStep, adamwStepInPlace, adamwStepReference } from './adamw-step.js';
import { closeness, normal, useSoftwareWebGpu } from './test-helpers.js';

// Software WebGPU (in-place fused kernels) against the reference on cpu: three steps of a [37,29] parameter.
useSoftwareWebGpu();

const h = { lr: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };

async function run(backend: 'cpu' | 'webgpu', fused: boolean): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  // variables that own their buffers (a variable shares its initial tensor's buffer until that is disposed)
  const own = (t: tf.Tensor, name: string) => {
    const x = tf.variable(t, true, `${name}-${backend}-${fused}`);
    t.dispose();
    return x;
  };
  const p = own(normal(1, [37, 29]), 'p');
  const m = own(tf.zeros([37, 29]), 'm');
  const v = own(tf.zeros([37, 29]), 'v');
  await expectNoLeaks(async () => {
    for (let step = 1; step <= 3; step++) {
      const g = normal(10 + step, [37, 29]);
      (fused ? adamwStep : adamwStepReference)(p, m, v, g, { ...h, step });
      g.dispose();
    }
  });
  const out = (await Promise.all([p.data(), m.data(), v.data()])) as Float32Array[];
  tf.dispose([p, m, v]);
  return out;
}

it('fused in-place AdamW steps match the reference (p, m, v)', async () => {
  const ref = await run('cpu', false);
  const got = await run('webgpu', true);
  const cache = (tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache;
  const ran = Object.keys(cache).filter((k) => k.startsWith('magicAdamW') || k.startsWith('magicAxpy'));
  expect(ran.length).toBe(3); // the in-place kernels ran (two moment updates through magicAxpy, the parameter)
  for (const [i, r] of ref.entries()) {
    const c = closeness(at(got, i, 'got'), r, 1e-6, 1e-5);
    expect(c.excess, `tensor ${i}: max abs error ${c.maxAbs} at ${c.at}`).toBeLessThanOrEqual(0);
  }
});

it('falls back to assign when a buffer is shared, and checks its inputs', async () => {
  await tf.setBackend('webgpu');
  const init = tf.ones([4]);
  const p = tf.variable(init, true, 'p-shared'); // shares init's buffer
  const m = tf.variable(tf.zeros([4]), false, 'm-shared');
  const v = tf.variable(tf.zeros([4]), false, 'v-shared');
  const g = tf.fill([4], 0.5);
  adamwStep(p, m, v, g, { ...h, step: 1 });
  expect(Array.from(await init.data())).toEqual([1, 1, 1, 1]); // untouched
  expect((await p.data())[0]).toBeLessThan(1);
  expect(() => adamwStep(p, m, v, tf.ones([3]), { ...h, step: 1 })).toThrow(/g has 3 elements/);
  expect(() => adamwStep(p, m, v, g, { ...h, step: 0 })).toThrow(/step must be/);
  tf.dispose([init, p, m, v, g]);
});

it('adamwStepInPlace declines (false, nothing written) off WebGPU and on a shared buffer; runs in place on WebGPU', async () => {
  for (const backend of ['cpu', 'webgpu'] as const) {
    await tf.setBackend(backend);
    const init = tf.ones([4]);
    const shared = tf.variable(init, true, `shared-decline-${backend}`); // shares init's buffer
    const own = (t: tf.Tensor, name: string) => {
      const x = tf.variable(t, true, `${name}-decline-${backend}`);
      t.dispose();
      return x;
    };
    const owned = own(tf.fill([4], 2), 'p');
    const m = own(tf.zeros([4]), 'm');
    const v = own(tf.zeros([4]), 'v');
    const g = tf.fill([4], 0.5);
    expect(adamwStepInPlace(shared, m, v, g, { ...h, step: 1 })).toBe(false);
    expect(Array.from(await shared.data())).toEqual([1, 1, 1, 1]);
    expect(Array.from(await m.data())).toEqual([0, 0, 0, 0]);
    const ran = adamwStepInPlace(owned, m, v, g, { ...h, step: 1 });
    expect(ran).toBe(backend === 'webgpu');
    // step 1: m̂/√v̂ = 1, so p = 2·(1 − lr·wd) − lr
    const want = backend === 'webgpu' ? 2 * (1 - h.lr * h.weightDecay) - h.lr : 2;
    for (const x of await owned.data()) expect(x).toBeCloseTo(want, 6);
    tf.dispose([init, shared, owned, m, v, g]);
  }
});
