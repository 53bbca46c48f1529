import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { qwenTestTokenizer } from './__fixtures__/qwen-tokenizer.js';
import { GeneratorOutputError } from './errors.js';
import { type CausalLMLike, LocalGenerator } from './local-generator.js';

const tokenizer = qwenTestTokenizer();

/** A recording stand-in for CausalLM.generate: echoes the last prompt token k times. */
function recordingModel(opts: { badLogprobs?: boolean; tooMany?: boolean } = {}) {
  const calls: { prompts: number[][]; maxNewTokens: number; seed?: number }[] = [];
  const model: CausalLMLike = {
    tokenizer,
    async generate(prompts, o) {
      calls.push({ prompts, maxNewTokens: o.maxNewTokens, seed: o.seed });
      return prompts.map((p) => {
        const n = opts.tooMany ? o.maxNewTokens + 1 : Math.min(2, o.maxNewTokens);
        const ids = new Array<number>(n).fill(defined(p.at(-1), 'p.at(-1)'));
        return {
          tokenIds: ids,
          logprobs: opts.badLogprobs ? [] : ids.map(() => -0.25),
          text: 'x',
          finishReason: 'length' as const,
        };
      });
    },
  };
  return { model, calls };
}

describe('LocalGenerator', () => {
  it('passes exact prompt ids, batches per token budget and chunk size, keeps results in request order', async () => {
    const { model, calls } = recordingModel();
    const gen = new LocalGenerator({ model, maxBatchSize: 2 });
    const requests = [
      { messages: [], promptIds: [1, 2, 3], maxNewTokens: 5 },
      { messages: [], promptIds: [4], maxNewTokens: 1 },
      { messages: [], promptIds: [5, 6], maxNewTokens: 5 },
      { messages: [], promptIds: [7], maxNewTokens: 5 },
    ];
    const out = await gen.generate(requests, { temperature: 1, topP: 1, topK: -1, seed: 10 });
    expect(calls.map((c) => [c.prompts, c.maxNewTokens, c.seed])).toEqual([
      [
        [
          [1, 2, 3],
          [5, 6],
        ],
        5,
        10,
      ],
      [[[7]], 5, 11],
      [[[4]], 1, 12],
    ]);
    expect(out.map((o) => o.tokenIds)).toEqual([[3, 3], [4], [6, 6], [7, 7]]);
    expect(at(out, 0, 'out').logprobs).toEqual([-0.25, -0.25]);
    expect(gen.trainable).toBe(true);
    expect(gen.tokenExact).toBe(true);
  });

  it('renders the chat with the tokenizer template when no prompt ids are given', async () => {
    const { model, calls } = recordingModel();
    const gen = new LocalGenerator({ model });
    const messages = [{ role: 'user' as const, content: 'How do I bake bread?' }];
    await gen.generate([{ messages, maxNewTokens: 3 }], { temperature: 0, topP: 1, topK: -1 });
    expect(at(calls, 0, 'calls').prompts[0]).toEqual(
      tokenizer.encode(tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true })),
    );
  });

  it('rejects outputs that break the contract', async () => {
    const sampling = { temperature: 1, topP: 1, topK: -1 };
    const req = [{ messages: [], promptIds: [1], maxNewTokens: 3 }];
    await expect(
      new LocalGenerator({ model: recordingModel({ badLogprobs: true }).model }).generate(req, sampling),
    ).rejects.toThrow(GeneratorOutputError);
    await expect(
      new LocalGenerator({ model: recordingModel({ tooMany: true }).model }).generate(req, sampling),
    ).rejects.toThrow(GeneratorOutputError);
  });
});
