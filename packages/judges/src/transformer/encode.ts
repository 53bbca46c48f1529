import type { ModerationMode } from '../types.js';

/** The tokenizer surface the guard needs (`@magic/lm`'s Tokenizer has it). */
export interface GuardTokenizer {
  encode(text: string): number[];
  readonly padTokenId: number;
}

/** Head order in the heads tensor and in every score vector. */
export const guardHeads = ['prompt', 'refusal', 'response'] as const;
export type GuardHead = (typeof guardHeads)[number];

/** Keeps the first and last halves of `ids` when it is longer than `max` (wrappers put the request anywhere). */
export function clipMiddle(ids: number[], max: number): number[] {
  if (ids.length <= max) return ids;
  const head = Math.ceil(max / 2);
  return [...ids.slice(0, head), ...ids.slice(ids.length - (max - head))];
}

/**
 * Token ids the backbone reads for one moderation request: the prompt alone for prompt moderation,
 * `User: …\nAssistant: …` for response moderation. Long prompts keep their head and tail; a response keeps its
 * start (a refusal or a compliance opener is there) and gets at least half of `maxLength`.
 */
export function encodeGuardInput(
  tokenizer: GuardTokenizer,
  mode: ModerationMode,
  prompt: string,
  response: string,
  maxLength: number,
): number[] {
  if (mode === 'prompt') {
    const ids = clipMiddle(tokenizer.encode(prompt), maxLength);
    return ids.length > 0 ? ids : [tokenizer.padTokenId];
  }
  const replyIds = tokenizer.encode(`\nAssistant: ${response}`);
  const promptIds = tokenizer.encode(`User: ${prompt}`);
  const replyBudget = Math.max(Math.ceil(maxLength / 2), maxLength - promptIds.length);
  const reply = replyIds.slice(0, replyBudget);
  return [...clipMiddle(promptIds, maxLength - reply.length), ...reply];
}
