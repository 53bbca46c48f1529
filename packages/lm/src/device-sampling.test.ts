import { at } from '@magic/core';
import { initBackend, releaseWebGpu } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';

afterAll(() => releaseWebGpu());

// Device sampling (ids chosen on the backend, loop pipelined one step ahead) against host sampling of
// the full log-probs (topK = vocab forces the host path with the same inverse-CDF rule and RNG stream).
// webgpu = the software adapter: the fused sampleTokens kernel.
for (const device of ['cpu', 'webgpu'] as const) {
  describe(`device sampling (${device})`, () => {
    it('picks the same tokens as host sampling and its log-probs re-score', async () => {
      await initBackend({ device, allowSoftwareAdapter: true });
      const lm = await CausalLM.fromPreset('tiny', { seed: 4 });
      try {
        const prompts = [
          [5, 6, 7, 8, 9],
          [10, 11],
          [12, 13, 14],
        ];
        const common = { maxNewTokens: 10, temperature: 0.9, seed: 21, stopTokenIds: [] };
        const onDevice = await expectNoLeaks(() => lm.generate(prompts, common));
        const onHost = await lm.generate(prompts, { ...common, topK: lm.config.vocabSize });
        expect(onDevice.map((o) => o.tokenIds)).toEqual(onHost.map((o) => o.tokenIds));
        for (const [i, o] of onDevice.entries()) {
          expect(o.tokenIds).toHaveLength(10);
          for (const [k, lp] of o.logprobs.entries())
            expect(lp).toBeCloseTo(at(at(onHost, i, 'onHost').logprobs, k, 'onHost[i].logprobs'), 4);
          const seq = [...at(prompts, i, 'prompts'), ...o.tokenIds];
          const ids = tf.tensor2d([seq], undefined, 'int32');
          const mask = tf.onesLike(ids);
          const { logProbs } = lm.tokenLogProbs(ids, mask);
          const scored = at((await logProbs.array()) as number[][], 0, 'value');
          tf.dispose([ids, mask, logProbs]);
          for (const [k, lp] of o.logprobs.entries()) {
            expect(Math.abs(at(scored, at(prompts, i, 'prompts').length + k, 'scored') - lp)).toBeLessThan(1e-4);
          }
        }
      } finally {
        lm.dispose();
      }
    });

    it('stops each sequence at its stop id although the loop runs a step ahead', async () => {
      await initBackend({ device, allowSoftwareAdapter: true });
      const lm = await CausalLM.fromPreset('tiny', { seed: 4 });
      try {
        const prompts = [
          [5, 6, 7],
          [8, 9],
        ];
        const free = await lm.generate(prompts, { maxNewTokens: 8, temperature: 1, seed: 3, stopTokenIds: [] });
        const stopAt = at(at(free, 0, 'free').tokenIds, 2, 'free[0].tokenIds');
        const stopped = await expectNoLeaks(() =>
          lm.generate(prompts, { maxNewTokens: 8, temperature: 1, seed: 3, stopTokenIds: [stopAt] }),
        );
        const cut = (ids: number[]) => {
          const j = ids.indexOf(stopAt);
          return j < 0 ? ids : ids.slice(0, j + 1);
        };
        expect(stopped.map((o) => o.tokenIds)).toEqual(free.map((o) => cut(o.tokenIds)));
        expect(at(stopped, 0, 'stopped').finishReason).toBe('stop');
      } finally {
        lm.dispose();
      }
    });
  });
}
