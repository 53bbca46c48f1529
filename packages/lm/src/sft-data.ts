import { defined } from '@magic/core';
import { z } from 'zod';
import { LmInputError } from './errors.js';
import type { ChatMessage, Tokenizer } from './tokenizer.js';

export const chatRecordSchema = z.object({
  messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })).min(1),
});
export type ChatRecord = z.infer<typeof chatRecordSchema>;

export interface TokenizedExample {
  ids: number[];
  /** 1 where the token belongs to an assistant reply (its <|im_end|> included). */
  lossMask: number[];
}

function render(tok: Tokenizer, messages: ChatMessage[], addGenerationPrompt: boolean): number[] {
  return messages.length === 0 ? [] : tok.encode(tok.applyChatTemplate(messages, { addGenerationPrompt }));
}

/** Tokenizes a chat record; only assistant turns count in the loss. Truncates to maxLength. */
export function tokenizeChat(
  tok: Tokenizer,
  record: ChatRecord,
  maxLength: number,
  where = 'record',
): TokenizedExample {
  const parsed = chatRecordSchema.safeParse(record);
  if (!parsed.success) {
    const issue = defined(parsed.error.issues[0], 'zod issue');
    throw new LmInputError(`${where}.${issue.path.join('.')}`, issue.message);
  }
  const msgs = parsed.data.messages;
  const ids = render(tok, msgs, false);
  const lossMask = ids.map(() => 0);
  msgs.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    const start = render(tok, msgs.slice(0, i), true).length;
    const end = render(tok, msgs.slice(0, i + 1), false).length;
    for (let j = start; j < end; j++) lossMask[j] = 1;
  });
  if (!lossMask.includes(1)) throw new LmInputError(`${where}.messages`, 'no assistant message to train on');
  const kept = lossMask.slice(0, maxLength);
  if (!kept.includes(1)) {
    throw new LmInputError(
      `${where}.messages`,
      `no assistant token within maxLength ${maxLength} (${ids.length} tokens)`,
    );
  }
  return { ids: ids.slice(0, maxLength), lossMask: kept };
}

/** Right-pads examples into [B,T] arrays, T the longest length rounded up to a multiple of `padToMultipleOf`. */
export function padBatch(
  examples: TokenizedExample[],
  padId: number,
  padToMultipleOf = 1,
): { ids: number[][]; mask: number[][]; lossMask: number[][] } {
  const longest = Math.max(...examples.map((e) => e.ids.length));
  const t = Math.ceil(longest / padToMultipleOf) * padToMultipleOf;
  const fill = (n: number, v: number) => Array<number>(n).fill(v);
  return {
    ids: examples.map((e) => [...e.ids, ...fill(t - e.ids.length, padId)]),
    mask: examples.map((e) => [...fill(e.ids.length, 1), ...fill(t - e.ids.length, 0)]),
    lossMask: examples.map((e) => [...e.lossMask, ...fill(t - e.ids.length, 0)]),
  };
}
