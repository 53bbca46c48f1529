import { at, defined } from '@magic/core';
import { initBackend, releaseWebGpu } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';
import { DispatchGraphError, dispatchGraphParkedBuffers } from '@magic/tensor/webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';
import { DecodeGraph } from './decode-graph.js';
import { attentionBias, forwardHidden } from './model.js';
import { PackedDecoder } from './packed-model.js';

// Software WebGPU: decoding replayed from a captured dispatch graph must produce exactly what running every
// step through tfjs produces (same kernels on the same data), token for token and log-prob for log-prob.
let lm: CausalLM;
beforeAll(async () => {
  await initBackend({ device: 'webgpu', allowSoftwareAdapter: true });
  lm = await CausalLM.fromPreset('tiny', { seed: 4 });
}, 60_000);
afterAll(() => {
  lm.dispose();
  releaseWebGpu();
});

// left padding: rows of different prompt lengths
const PROMPTS = [
  [5, 6, 7, 8, 9],
  [10, 11],
  [12, 13, 14],
];
const OTHER = [
  [20, 21],
  [22, 23, 24, 25],
];

const run = (prompts: number[][], temperature: number, seed: number, decodeGraph = true) =>
  lm.generate(prompts, { maxNewTokens: 9, temperature, seed, stopTokenIds: [], decodeGraph });

async function generateWith(graph: boolean, temperature: number) {
  return await expectNoLeaks(() => run(PROMPTS, temperature, 21, graph));
}

describe('decoding from a dispatch graph', () => {
  it.each([0, 0.9])('gives the tokens and log-probs of decoding through tfjs (temperature %s)', async (temperature) => {
    const replayed = await generateWith(true, temperature);
    const eager = await generateWith(false, temperature);
    expect(replayed.map((o) => o.tokenIds)).toEqual(eager.map((o) => o.tokenIds));
    // (the replayed projections run on the tiled GEMM, the tfjs path's on tfjs' programs: equal up to rounding)
    for (const [i, o] of replayed.entries()) {
      for (const [k, lp] of o.logprobs.entries())
        expect(lp).toBeCloseTo(at(at(eager, i, 'eager').logprobs, k, 'eager[i].logprobs'), 5);
    }
    expect(at(replayed, 0, 'replayed').tokenIds).toHaveLength(9);
    // every buffer the graph held went back to the pool
    expect(dispatchGraphParkedBuffers()).toBe(0);
  });

  it('runs two generations at once (two live graphs) as it runs them one after the other', async () => {
    const tensors = tf.memory().numTensors;
    const [a, b] = await Promise.all([run(PROMPTS, 1, 21), run(OTHER, 1, 3)]);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(a.map((o) => o.tokenIds)).toEqual((await run(PROMPTS, 1, 21)).map((o) => o.tokenIds));
    expect(b.map((o) => o.tokenIds)).toEqual((await run(OTHER, 1, 3)).map((o) => o.tokenIds));
    expect(dispatchGraphParkedBuffers()).toBe(0);
  });

  it('captures one step (every layer) and checks its arguments', async () => {
    const cfg = lm.config;
    const keyMask = [
      [1, 1, 1],
      [0, 1, 1],
    ];
    const prefill = tf.tidy(() => {
      const ids = tf.tensor2d(
        [
          [3, 4, 5],
          [0, 6, 7],
        ],
        [2, 3],
        'int32',
      );
      const positions = tf.tensor2d(
        [
          [0, 1, 2],
          [0, 0, 1],
        ],
        [2, 3],
        'int32',
      );
      const { cache } = forwardHidden(lm.weights, cfg, { ids, positions, bias: attentionBias(keyMask, 3) }, true);
      return [...defined(cache, 'cache').k, ...defined(cache, 'cache').v];
    });
    const n = cfg.numHiddenLayers;
    const decoder = new PackedDecoder(
      lm.weights,
      cfg,
      { k: prefill.slice(0, n) as tf.Tensor4D[], v: prefill.slice(n) as tf.Tensor4D[] },
      keyMask,
      8,
    );
    const graph = new DecodeGraph(decoder, 1);
    const first = tf.tensor2d([[8], [9]], [2, 1], 'int32');
    try {
      expect(() => graph.step(undefined, [3, 2], 3, new Float32Array([0.5, 0.5]))).toThrow(/needs the token ids/);
      expect(() => graph.step(first, [3, 2], 3)).toThrow(DispatchGraphError);
      const a = await graph.step(first, [3, 2], 3, new Float32Array([0.5, 0.25]));
      // embedding, 9 per layer, final norm, head, sampling (2)
      expect(graph.dispatches).toBe(1 + 9 * n + 2 + 2);
      // the skinny projections run on the tiled GEMM inside a capture
      expect(graph.programs.filter((p) => p === 'magicGemm')).toHaveLength(4 * n + 1);
      const b = await graph.step(undefined, [4, 3], 4, new Float32Array([0.75, 0.1]));
      for (const r of [a, b]) {
        expect(r.ids).toBeInstanceOf(Int32Array);
        expect(r.ids.every((id) => id >= 0 && id < cfg.vocabSize)).toBe(true);
        expect(r.logprobs.every((lp) => lp < 0)).toBe(true);
      }
    } finally {
      first.dispose();
      graph.dispose();
      decoder.dispose();
    }
  });
});
