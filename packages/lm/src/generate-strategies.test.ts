import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, releaseWebGpu } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';
import { decodeStrategy } from './decode/choose-decoder.js';
import { generateOptionsSchema } from './generate.js';
import { GENERATE_FIXTURE_CASES } from './generate-fixture-cases.js';

afterAll(() => releaseWebGpu());

type Recorded = { tokenIds: number[]; logprobs: number[]; finishReason: string }[];
// written by the generate() before the decoder interface (scripts/write-generate-fixture.ts)
const recorded = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'generate-strategies.json'), 'utf8'),
) as Record<string, Recorded>;

// Every decode strategy gives the previous implementation's outputs bit for bit: the same tokens, the same float32
// log-probs, the same finish reasons (webgpu = the software adapter).
describe('generate per decode strategy', () => {
  it.each(GENERATE_FIXTURE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await initBackend({ device: c.device, allowSoftwareAdapter: true });
    // the case exercises the strategy it is named for
    expect(decodeStrategy(generateOptionsSchema.parse(c.options), tf.getBackend())).toBe(c.strategy);
    const lm = await CausalLM.fromPreset('tiny', { seed: 11 });
    try {
      const got = await expectNoLeaks(() => lm.generate(c.prompts, c.options));
      expect(got.map((g) => ({ tokenIds: g.tokenIds, logprobs: g.logprobs, finishReason: g.finishReason }))).toEqual(
        recorded[c.name],
      );
    } finally {
      lm.dispose();
    }
  });
});

describe('decodeStrategy', () => {
  const o = generateOptionsSchema.parse({ maxNewTokens: 1 });
  it('samples on the host only when top-k or top-p cut the distribution (and the temperature is above 0)', () => {
    expect(decodeStrategy({ ...o, topK: 5 }, 'cpu')).toBe('host');
    expect(decodeStrategy({ ...o, topP: 0.9 }, 'webgpu')).toBe('host');
    expect(decodeStrategy({ ...o, topK: 5, temperature: 0 }, 'cpu')).toBe('device');
  });

  it('uses the in-place cache and the dispatch graph on WebGPU only, unless turned off', () => {
    expect(decodeStrategy(o, 'cpu')).toBe('device');
    expect(decodeStrategy(o, 'wasm')).toBe('device');
    expect(decodeStrategy(o, 'webgpu')).toBe('graph');
    expect(decodeStrategy({ ...o, decodeGraph: false }, 'webgpu')).toBe('packed');
    expect(decodeStrategy({ ...o, packedDecode: false }, 'webgpu')).toBe('device');
  });
});
