import { Tokenizer } from '@magic/lm';
import { describe, expect, it } from 'vitest';
import { TokenizerTrainError } from '../errors.js';
import { bytesToUnicode, pretokenize } from './byte-level.js';
import { toTokenizerConfig, toTokenizerJson } from './hf-files.js';
import { PretokenCounter, trainBpe } from './trainer.js';

const SAMPLE = [
  'The cat sat on the mat. The cat ate the rat. Then the cat sat again on the mat.',
  "It's a test: numbers 12345 and symbols !? are kept, and so is the newline\n\nafter it.",
  'Naïve café, 東京, emoji 🙂 and accents: résumé, über, São Paulo.',
].join('\n');

function trained(vocabSize: number): Tokenizer {
  const counter = new PretokenCounter();
  for (let i = 0; i < 20; i++) counter.add(SAMPLE);
  const model = trainBpe(counter.counts, vocabSize);
  return Tokenizer.fromJson(toTokenizerJson(model), toTokenizerConfig(model));
}

describe('byte-level BPE trainer', () => {
  it('uses the GPT-2 byte alphabet in byte order', () => {
    const t = bytesToUnicode();
    expect(t).toHaveLength(256);
    expect(new Set(t).size).toBe(256);
    expect(t[0x20]).toBe('Ġ');
    expect(t[0x41]).toBe('A');
  });

  it('splits like Qwen2: contractions, single digits, letters with one leading non-letter', () => {
    expect(pretokenize("It's 123 cats!\n\n")).toEqual(['It', "'s", ' ', '1', '2', '3', ' cats', '!\n\n']);
  });

  it('learns merges of the most frequent pairs first, up to the vocabulary size', () => {
    const counter = new PretokenCounter();
    counter.add('aaab aaab aaab');
    const model = trainBpe(counter.counts, 256 + 3 + 2);
    // Each "aaab" pre-token holds the pair (a,a) twice and (a,b) once.
    expect(model.merges[0]).toEqual(['a', 'a']);
    expect(model.vocab.size).toBe(258);
    for (const [a, b] of model.merges) expect(model.vocab.has(a + b)).toBe(true);
  });

  it('is deterministic', () => {
    const counter = new PretokenCounter();
    counter.add(SAMPLE);
    expect(trainBpe(counter.counts, 320).merges).toEqual(trainBpe(counter.counts, 320).merges);
  });

  it('rejects a vocabulary smaller than the byte alphabet plus special tokens', () => {
    expect(() => trainBpe(new Map([['ab', 1]]), 200)).toThrow(TokenizerTrainError);
  });

  it("loads in @magic/lm's Tokenizer, round-trips text and compresses the training text", () => {
    const tok = trained(300);
    expect(tok.vocabSize).toBe(300);
    for (const s of [SAMPLE, 'unseen words: zebra quux 987 — “quotes” ✓', ' \t\r\n'])
      expect(tok.decode(tok.encode(s))).toBe(s);
    expect(tok.encode(SAMPLE).length).toBeLessThan(new TextEncoder().encode(SAMPLE).length * 0.7);
  });

  it('maps the special tokens to single ids after the vocabulary and renders ChatML without a default system turn', () => {
    const tok = trained(300);
    expect(tok.encode('<|endoftext|><|im_start|><|im_end|>')).toEqual([297, 298, 299]);
    expect(tok.eosTokenIds).toEqual([299, 297]);
    expect(tok.padTokenId).toBe(297);
    expect(tok.isSpecial(298)).toBe(true);
    const rendered = tok.applyChatTemplate(
      [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ],
      { addGenerationPrompt: false },
    );
    expect(rendered).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n');
    expect(
      tok.applyChatTemplate(
        [
          { role: 'system', content: 'S' },
          { role: 'user', content: 'Q' },
        ],
        { addGenerationPrompt: true },
      ),
    ).toBe('<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n');
  });
});
