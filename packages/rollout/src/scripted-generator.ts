import { at } from '@magic/core';
import type { ChatTokenizer, GenerationRequest, GenerationResult, Generator, SamplingOptions } from './types.js';

/** What a script returns for one request: the text, optionally forced to end as truncated. */
export type ScriptReply = string | { text: string; finishReason?: 'stop' | 'length' };
/** `index` is the request's position in this call, `call` counts generate calls from 0. */
export type Script = (request: GenerationRequest, index: number, call: number) => ScriptReply;

export interface ScriptedGeneratorOptions {
  tokenizer: ChatTokenizer;
  script: Script;
  id?: string;
  trainable?: boolean;
  /** false = behave like a remote endpoint (text only). Default true. */
  tokenExact?: boolean;
}

/**
 * A test generator with fixed outputs and a real tokenizer: the scripted text is tokenized, cut at
 * `maxNewTokens` (finish 'length', no stop token) or closed with the first EOS id (finish 'stop').
 * Log-probs are a deterministic function of the token id. Every call is recorded in `calls`.
 */
export class ScriptedGenerator implements Generator {
  readonly id: string;
  readonly trainable: boolean;
  readonly tokenExact: boolean;
  readonly tokenizer: ChatTokenizer;
  readonly calls: { requests: GenerationRequest[]; sampling: SamplingOptions }[] = [];
  readonly #script: Script;

  constructor(options: ScriptedGeneratorOptions) {
    this.tokenizer = options.tokenizer;
    this.#script = options.script;
    this.id = options.id ?? 'scripted';
    this.tokenExact = options.tokenExact ?? true;
    this.trainable = options.trainable ?? this.tokenExact;
  }

  /** The log-prob the scripted model reports for a token id. */
  static logprobOf(id: number): number {
    return -0.01 * ((id % 97) + 1);
  }

  async generate(requests: GenerationRequest[], sampling: SamplingOptions): Promise<GenerationResult[]> {
    const call = this.calls.push({ requests, sampling }) - 1;
    return requests.map((request, i) => this.#reply(request, this.#script(request, i, call)));
  }

  #reply(request: GenerationRequest, reply: ScriptReply): GenerationResult {
    const { text, finishReason } = typeof reply === 'string' ? { text: reply, finishReason: 'stop' } : reply;
    let ids = this.tokenizer.encode(text);
    let outText = text;
    let reason: 'stop' | 'length' = 'stop';
    if (finishReason === 'length' || ids.length >= request.maxNewTokens) {
      ids = ids.slice(0, request.maxNewTokens);
      outText = this.tokenizer.decode(ids, { skipSpecialTokens: false });
      reason = 'length';
    } else {
      ids = [...ids, at(this.tokenizer.eosTokenIds, 0, 'tokenizer EOS ids')];
    }
    if (!this.tokenExact) return { text: outText, finishReason: reason };
    return { text: outText, finishReason: reason, tokenIds: ids, logprobs: ids.map(ScriptedGenerator.logprobOf) };
  }
}
