import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, releaseWebGpu } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';
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
