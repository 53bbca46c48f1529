import { at } from '@magic/core';
import type { Tokenizer } from '@magic/lm';
import { SPECIAL_TOKENS } from './trainer.js';

/** Strings the HF comparison covers: ASCII prose, code, whitespace runs, numbers, accents, CJK, emoji, specials. */
export const TOKENIZER_CHECK_TEXTS: readonly string[] = [
  'The quick brown fox jumps over the lazy dog.',
  "It's what they'd've said: I'LL go, you're late, we've won.",
  'def area(r):\n    return 3.14159 * r ** 2  # circle\n\n\n',
  'Numbers 1234567890, 3.5e-7 and 1,000,000.',
  '   leading spaces, trailing tabs\t\t\nand\r\nwindows newlines   ',
  'Naïve café, résumé, São Paulo, Ångström, Übermensch.',
  '東京は日本の首都です。 서울 Привет мир مرحبا',
  'Emoji 🙂🚀👩‍💻 and symbols ©®™ → ≤ ≥ ∑ √',
  '<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi there!<|im_end|>\n<|endoftext|>',
  'Answer the question below:\n\n\nIs ice denser than water?',
];

export interface TokenizerIdsFile {
  tokenizer: string;
  vocabSize: number;
  eosTokenId: number;
  padTokenId: number;
  specialIds: Record<string, number>;
  cases: { text: string; ids: number[] }[];
  chats: {
    messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
    addGenerationPrompt: boolean;
    rendered: string;
    ids: number[];
  }[];
}

/** Our side of the HF comparison (scripts/check-tokenizer-hf.py): ids, renders and special ids. */
export function tokenizerIds(tok: Tokenizer, name: string): TokenizerIdsFile {
  const chats: TokenizerIdsFile['chats'] = [
    { messages: [{ role: 'user', content: 'What is 2 + 2?' }], addGenerationPrompt: true, rendered: '', ids: [] },
    {
      messages: [
        { role: 'system', content: 'You are a careful assistant.' },
        { role: 'user', content: 'Name a colour.' },
        { role: 'assistant', content: 'Blue.' },
      ],
      addGenerationPrompt: false,
      rendered: '',
      ids: [],
    },
  ];
  for (const c of chats) {
    c.rendered = tok.applyChatTemplate(c.messages, { addGenerationPrompt: c.addGenerationPrompt });
    c.ids = tok.encode(c.rendered);
  }
  const specialIds: Record<string, number> = {};
  for (const s of SPECIAL_TOKENS) specialIds[s] = at(tok.encode(s), 0, `id of ${s}`);
  return {
    tokenizer: name,
    vocabSize: tok.vocabSize,
    eosTokenId: at(tok.eosTokenIds, 0, 'eos token id'),

    padTokenId: tok.padTokenId,
    specialIds,
    cases: TOKENIZER_CHECK_TEXTS.map((text) => ({ text, ids: tok.encode(text) })),
    chats,
  };
}
