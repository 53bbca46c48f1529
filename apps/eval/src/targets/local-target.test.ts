import { at, defined } from '@magic/core';
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitPrompt } from './checkpoint-model.js';
import { localChatTarget } from './local-target.js';

describe('fitPrompt', () => {
  it('keeps short prompts, cuts long ones from the left, caps the reply at half the window', () => {
    expect(fitPrompt([1, 2, 3], 16, 4)).toEqual({ ids: [1, 2, 3], maxNewTokens: 4, truncated: false });
    expect(fitPrompt([1, 2, 3, 4, 5, 6], 8, 4)).toEqual({ ids: [3, 4, 5, 6], maxNewTokens: 4, truncated: true });
    expect(fitPrompt([1, 2, 3, 4, 5, 6], 8, 100)).toEqual({ ids: [3, 4, 5, 6], maxNewTokens: 4, truncated: true });
  });
});

describe('localChatTarget (tiny random checkpoint)', () => {
  let lm: CausalLM;
  beforeAll(async () => {
    await initBackend({ device: 'wasm' });
    lm = await CausalLM.fromPreset('tiny', { seed: 3 });
  });
  afterAll(() => lm?.dispose());

  it('generates what the model generates for the chat-templated prompt', async () => {
    const target = localChatTarget(lm, { id: 'tiny' });
    const chat = [{ role: 'user' as const, content: 'Name a vegetable.' }];
    const [text] = await target.generate([chat], { temperature: 0, maxTokens: 6, topP: 1 });
    const ids = lm.tokenizer.encode(lm.tokenizer.applyChatTemplate(chat, { addGenerationPrompt: true }));
    const [direct] = await lm.generate([ids], { maxNewTokens: 6, temperature: 0 });
    expect(text).toBe(defined(direct, 'direct').text);
  });

  it("cuts replies for the judge with the checkpoint's own tokenizer", () => {
    const target = localChatTarget(lm, { id: 'tiny' });
    const text = 'a few words that the tiny tokenizer splits into several tokens';
    const ids = lm.tokenizer.encode(text);
    expect(ids.length).toBeGreaterThan(4);
    expect(target.truncator.name).toBe('checkpoint:tiny');
    expect(target.truncator.truncate(text, 4)).toBe(lm.tokenizer.decode(ids.slice(0, 4)));
    expect(target.truncator.truncate(text, ids.length)).toBe(text);
  });

  it('scores continuations by log-likelihood: log p of each continuation after the prompt, no tensors leak', async () => {
    const target = localChatTarget(lm, { id: 'tiny' });
    const prompt = 'Which letter comes first?';
    const ids = lm.tokenizer.encode(
      lm.tokenizer.applyChatTemplate([{ role: 'user', content: prompt }], { addGenerationPrompt: true }),
    );
    // reference: log-softmax of the full logits at the last prompt position
    const idsT = tf.tensor2d([ids], undefined, 'int32');
    const maskT = tf.ones([1, ids.length], 'int32') as tf.Tensor2D;
    const logits = lm.logits(idsT, maskT);
    const logSoftmax = tf.tidy(() =>
      tf.logSoftmax(tf.reshape(tf.slice(logits, [0, ids.length - 1, 0], [1, 1, -1]), [-1])),
    );
    const reference = (await logSoftmax.array()) as number[];
    tf.dispose([idsT, maskT, logits, logSoftmax]);
    // single non-space tokens that round-trip through decode/encode
    const candidates = [40, 41, 42, 65, 100, 200, 300]
      .map((id) => ({ id, text: lm.tokenizer.decode([id]) }))
      .filter((c) => c.text.trim() === c.text && c.text !== '' && lm.tokenizer.encode(c.text).length === 1);
    expect(candidates.length).toBeGreaterThanOrEqual(3);
    const scores = await expectNoLeaks(() =>
      target.scoreContinuations(
        prompt,
        candidates.map((c) => c.text),
      ),
    );
    expect(scores).toHaveLength(candidates.length);
    candidates.forEach((c, i) => {
      expect(scores[i]).toBeCloseTo(
        defined(reference[at(lm.tokenizer.encode(c.text), 0, 'text')], 'reference entry'),
        4,
      );
    });
    // a leading space is dropped (the assistant header already ends the line): " X" scores as "X"
    const spaced = await target.scoreContinuations(
      prompt,
      candidates.map((c) => ` ${c.text}`),
    );
    expect(spaced).toEqual(scores);
  });
});
