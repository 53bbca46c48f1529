import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LmConfigError } from './errors.js';
import { QWEN25_CHAT_TEMPLATE } from './qwen25-chat-template.js';
import { type ChatMessage, Tokenizer } from './tokenizer.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'reference');
interface Ref {
  chat: { messages: ChatMessage[]; addGenerationPrompt: boolean; text: string; ids: number[] }[];
  encode: { text: string; ids: number[]; decoded: string; decodedSkipSpecial: string }[];
}
const ref = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8')) as Ref;

describe('Tokenizer vs HF transformers', () => {
  it('renders the chat template byte-identical to apply_chat_template', async () => {
    const tok = await Tokenizer.fromDir(join(fixtures, 'tiny-tied'));
    expect(ref.chat.length).toBeGreaterThan(4);
    for (const c of ref.chat) {
      expect(tok.applyChatTemplate(c.messages, { addGenerationPrompt: c.addGenerationPrompt })).toBe(c.text);
      expect(tok.encode(c.text)).toEqual(c.ids);
    }
  });

  it('encodes and decodes like the HF fast tokenizer', () => {
    const tok = Tokenizer.tiny();
    for (const e of ref.encode) {
      expect(tok.encode(e.text)).toEqual(e.ids);
      expect(tok.decode(e.ids)).toBe(e.decoded);
      expect(tok.decode(e.ids, { skipSpecialTokens: true })).toBe(e.decodedSkipSpecial);
    }
    expect(tok.eosTokenIds).toEqual([511, 509]);
    expect(tok.padTokenId).toBe(509);
    expect(tok.vocabSize).toBe(512);
  });

  it('loads the real Qwen tokenizer with the Qwen2.5 template', async () => {
    const tok = await Tokenizer.qwenDefault();
    expect(tok.encode('<|im_start|>user\nHello world<|im_end|>')).toEqual([151644, 872, 198, 9707, 1879, 151645]);
    expect(tok.eosTokenIds).toContain(151645);
    expect(tok.padTokenId).toBe(151643);
    const text = tok.applyChatTemplate([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true });
    expect(text).toBe(
      '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('keeps the template constant in sync with scripts/qwen2.5-chat-template.jinja', () => {
    const file = readFileSync(join(import.meta.dirname, '..', 'scripts', 'qwen2.5-chat-template.jinja'), 'utf8');
    expect(QWEN25_CHAT_TEMPLATE).toBe(file);
  });

  it('throws typed errors for missing files and fields', async () => {
    await expect(Tokenizer.fromDir('/nonexistent-dir')).rejects.toMatchObject({ code: 'LM_CHECKPOINT' });
    const tj = Tokenizer.tiny().tokenizerJson;
    const noTemplate = { eos_token: '<|im_end|>' };
    expect(() => Tokenizer.fromJson(tj, noTemplate, 'dir')).toThrow(LmConfigError);
    const badEos = { ...Tokenizer.tiny().tokenizerConfig, eos_token: '<nope>' };
    expect(() => Tokenizer.fromJson(tj, badEos, 'dir')).toThrow(/eos_token/);
  });
});
