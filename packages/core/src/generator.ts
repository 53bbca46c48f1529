export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * What a chat player needs from a tokenizer. `@magic/lm`'s `Tokenizer` satisfies it.
 * `encode` must not add special tokens (Qwen has no BOS); `decode` of special ids gives their text.
 */
export interface Tokenizer {
  encode(text: string): number[];
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
  applyChatTemplate(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean }): string;
  eosTokenIds: number[];
  padTokenId: number;
}

export type FinishReason = 'stop' | 'length';

/** Sampling settings for one generate call. temperature 0 = greedy. */
export interface SamplingOptions {
  temperature: number;
  topP: number;
  /** 0 or negative = off. */
  topK: number;
  seed?: number;
}

/** One prompt. Local generators use `promptIds` (already spliced, exact); remote ones use `messages`. */
export interface GenerationRequest {
  messages: ChatMessage[];
  promptIds?: number[];
  maxNewTokens: number;
}

/**
 * One sampled continuation. For token-exact generators `tokenIds` are exactly the sampled ids
 * (including the stop token when `finishReason` is 'stop' and the model emitted one) and
 * `logprobs[i]` is the sampling log-prob of `tokenIds[i]`. `text` excludes the stop token.
 */
export interface GenerationResult {
  text: string;
  finishReason: FinishReason;
  tokenIds?: number[];
  logprobs?: number[];
}

/** A model behind one interface: local (`tokenExact`, may be trained) or remote (text only, frozen). */
export interface Generator {
  id: string;
  /** Whether its role may be the trained role (requires tokenExact). */
  trainable: boolean;
  /** Returns the exact sampled token ids and log-probs for `promptIds`. */
  tokenExact: boolean;
  /** Tokenizer whose chat template renders this role's prompts (required when tokenExact). */
  tokenizer?: Tokenizer;
  generate(requests: GenerationRequest[], sampling: SamplingOptions): Promise<GenerationResult[]>;
}
