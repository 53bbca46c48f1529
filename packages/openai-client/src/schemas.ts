import { z } from 'zod';
import { backoffSchema } from './backoff.js';

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});
export type ChatMessage = z.output<typeof chatMessageSchema>;

export const clientOptionsSchema = z.object({
  /** Endpoint root including the version segment, e.g. `http://127.0.0.1:8000/v1`. */
  baseURL: z.url(),
  apiKey: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  /** Per-attempt timeout, covering the response body too. */
  timeoutMs: z.number().int().positive().default(60_000),
  /** Retries after the first attempt (total attempts = maxRetries + 1). */
  maxRetries: z.number().int().min(0).default(3),
  /** Requests in flight at once (per client). Backoff sleeps do not hold a slot. */
  concurrency: z.number().int().positive().default(8),
  backoff: backoffSchema.prefault({}),
  /** Longest Retry-After honoured; longer values are clamped. */
  maxRetryAfterMs: z.number().nonnegative().default(60_000),
  /** Characters of an error body kept in `bodyExcerpt`. */
  bodyExcerptChars: z.number().int().positive().default(500),
});
export type ClientOptions = z.output<typeof clientOptionsSchema>;

export const chatRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(chatMessageSchema).min(1),
  temperature: z.number().min(0).optional(),
  topP: z.number().gt(0).max(1).optional(),
  maxTokens: z.number().int().positive().optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  seed: z.number().int().optional(),
});
export type ChatRequest = z.input<typeof chatRequestSchema>;

export const usageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative().nullish(),
});

const chatChoiceSchema = z.object({
  message: z.object({ role: z.string().nullish(), content: z.string().nullish() }),
  finish_reason: z.string().nullish(),
});

/** The part of an OpenAI chat-completions reply this client relies on. */
export const chatCompletionResponseSchema = z.object({
  // at least one choice, typed as such (a tuple with a rest element) so the client reads choices[0] without `!`
  choices: z.tuple([chatChoiceSchema], chatChoiceSchema),
  usage: usageSchema.nullish(),
});
export type ChatCompletionResponse = z.output<typeof chatCompletionResponseSchema>;

export const modelListResponseSchema = z.object({
  data: z.array(z.object({ id: z.string(), owned_by: z.string().nullish() })),
});

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatResult {
  text: string;
  finishReason: string | null;
  usage?: ChatUsage;
  raw: ChatCompletionResponse;
}
