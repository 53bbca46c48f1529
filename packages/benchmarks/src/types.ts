import { z } from 'zod';
import type { TokenTruncator } from './protocol/judge-input.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Generation parameters; part of the cache key. Defaults (spec §7: temperature 0, 512 tokens) are written here once. */
export const generationParamsSchema = z.object({
  temperature: z.number().min(0).default(0),
  maxTokens: z.number().int().positive().default(512),
  topP: z.number().gt(0).max(1).default(1),
});
export type GenerationParams = z.output<typeof generationParamsSchema>;
export type GenerationParamsInput = z.input<typeof generationParamsSchema>;

/**
 * The model under evaluation: a local checkpoint or any OpenAI-compatible endpoint. `generate`
 * returns one text per chat, in order. `scoreContinuations` (local models) enables log-likelihood
 * multiple-choice scoring.
 */
export interface ChatTarget {
  id: string;
  generate(chats: ChatMessage[][], params: GenerationParams): Promise<string[]>;
  scoreContinuations?(prompt: string, continuations: readonly string[]): Promise<number[]>;
  /** The defender's own tokenizer, used to cut replies before judging (spec §7); absent for plain endpoints. */
  truncator?: TokenTruncator;
}

/** The structural slice of @magic/judges' GuardVerdict this package reads. */
export interface GuardLikeVerdict {
  safety: 'safe' | 'unsafe' | 'controversial';
  refusal?: 'yes' | 'no' | undefined;
}

/** Any guard (@magic/judges `Guard` satisfies it). An unparseable reply must throw (never a default label). */
export interface GuardLike {
  name: string;
  moderatePrompt(prompt: string): Promise<GuardLikeVerdict>;
  moderateResponse(prompt: string, response: string): Promise<GuardLikeVerdict>;
}
