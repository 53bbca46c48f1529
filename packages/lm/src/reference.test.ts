import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { initBackend, releaseWebGpu } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'reference');
interface LogitsCase {
  inputIds: number[][];
  attentionMask: number[][];
  logits: number[][][];
}
interface GreedyCase {
  prompts: number[][];
  newTokens: number[][];
}
interface ModelRef {
  dir: string;
  single: LogitsCase;
  padded: LogitsCase;
  greedy: { batched: GreedyCase; single: GreedyCase[] };
}
const ref = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8')) as { models: Record<string, ModelRef> };

async function maxLogitDiff(lm: CausalLM, c: LogitsCase): Promise<number> {
  const ids = tf.tensor2d(c.inputIds, undefined, 'int32');
  const mask = tf.tensor2d(c.attentionMask, undefined, 'int32');
  const logits = lm.logits(ids, mask);
  const got = (await logits.array()) as number[][][];
  tf.dispose([ids, mask, logits]);
  let max = 0;
  for (const [b, seq] of c.logits.entries()) {
    for (const [t, row] of seq.entries()) {
      if (at(c.attentionMask, b, 'c.attentionMask')[t] !== 1) continue;
      for (const [j, v] of row.entries())
        max = Math.max(max, Math.abs(v - at(at(at(got, b, 'got'), t, 'got[b]'), j, 'got[b][t]')));
    }
  }
  return max;
}

afterAll(() => releaseWebGpu());

// webgpu here is the software adapter (Mesa llvmpipe): it runs the fused WGSL kernels (RMSNorm, RoPE,
// SwiGLU, decode attention, device sampling) against the transformers reference.
for (const device of ['cpu', 'wasm', 'webgpu'] as const) {
  describe(`HF reference logits and greedy decoding (${device})`, () => {
    for (const [name, m] of Object.entries(ref.models)) {
      it(`${name}: logits within 1e-4 of transformers (single + left-padded batch)`, async () => {
        await initBackend({ device, allowSoftwareAdapter: true });
        const lm = await CausalLM.fromPretrained(join(fixtures, m.dir));
        try {
          await expectNoLeaks(async () => {
            expect(await maxLogitDiff(lm, m.single)).toBeLessThan(1e-4);
            expect(await maxLogitDiff(lm, m.padded)).toBeLessThan(1e-4);
          });
        } finally {
          lm.dispose();
        }
      });

      it(`${name}: greedy continuations are token-identical (batched and single)`, async () => {
        await initBackend({ device, allowSoftwareAdapter: true });
        const lm = await CausalLM.fromPretrained(join(fixtures, m.dir));
        try {
          await expectNoLeaks(async () => {
            const opts = { maxNewTokens: 12, temperature: 0, stopTokenIds: [511] };
            const batched = await lm.generate(m.greedy.batched.prompts, opts);
            expect(batched.map((o) => o.tokenIds)).toEqual(m.greedy.batched.newTokens);
            for (const s of m.greedy.single) {
              const [one] = await lm.generate(s.prompts, opts);
              expect(defined(one, 'one').tokenIds).toEqual(s.newTokens[0]);
            }
          });
        } finally {
          lm.dispose();
        }
      });
    }
  });
}
