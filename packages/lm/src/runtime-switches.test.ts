// The WebGPU fast paths are switched by options (no environment variable): each switch changes which kernels
// tfjs runs, seen through tf.profile on the software adapter.
import { initBackend, releaseWebGpu } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';

let lm: CausalLM;
beforeAll(async () => {
  await initBackend({ device: 'webgpu', allowSoftwareAdapter: true });
  lm = await CausalLM.fromPreset('tiny', { seed: 5 });
});
afterAll(() => {
  lm.dispose();
  releaseWebGpu();
});

async function kernelNames(f: () => Promise<unknown> | tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(async () => {
    const out = await f();
    tf.dispose(out as tf.TensorContainer);
  });
  return info.kernels.map((k) => k.name);
}

const count = (names: string[], name: string) => names.filter((n) => n === name).length;

describe('lm switches on WebGPU', () => {
  it('packedMlp: one gate+up matmul per layer (a weight concat each) or two matmuls', async () => {
    const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6]], undefined, 'int32');
    const mask = tf.onesLike(ids) as tf.Tensor2D;
    const run = (packedMlp: boolean) => kernelNames(() => lm.tokenLogProbs(ids, mask, { packedMlp }).logProbs);
    const packed = await run(true);
    const split = await run(false);
    tf.dispose([ids, mask]);
    expect(count(packed, 'Concat') - count(split, 'Concat')).toBe(lm.config.numHiddenLayers);
  });

  it('decodeGraph and packedDecode: replayed steps run no tfjs kernels; off, every step does', async () => {
    const prompts = [
      [1, 2, 3],
      [4, 5, 6, 7],
    ];
    const gen = (o: { decodeGraph?: boolean; packedDecode?: boolean }) => () =>
      lm.generate(prompts, { maxNewTokens: 8, temperature: 0, stopTokenIds: [], ...o });
    const defaults = await kernelNames(gen({}));
    const graph = defaults.length;
    const eager = (await kernelNames(gen({ decodeGraph: false }))).length;
    const concatCache = await kernelNames(gen({ packedDecode: false }));
    expect(graph).toBeLessThan(eager);
    // the concat KV cache grows by a Concat per layer and per K/V at every step
    expect(count(concatCache, 'Concat')).toBeGreaterThanOrEqual(7 * 2 * lm.config.numHiddenLayers);
    expect(count(defaults, 'Concat')).toBeLessThan(7 * 2 * lm.config.numHiddenLayers);
    lm.decodeGraph = false; // the model's default is the option's default
    expect((await kernelNames(gen({}))).length).toBe(eager);
    lm.decodeGraph = true;
  });
});
