import { at } from '@magic/core';
import { GeneratorOutputError } from './errors.js';
import type {
  ChatTokenizer,
  FinishReason,
  GenerationRequest,
  GenerationResult,
  Generator,
  SamplingOptions,
} from './types.js';

/** What LocalGenerator needs from a model; `@magic/lm`'s CausalLM satisfies it. */
export interface CausalLMLike {
  tokenizer: ChatTokenizer;
  generate(
    prompts: number[][],
    opts: { maxNewTokens: number; temperature: number; topP: number; topK: number; seed?: number },
  ): Promise<{ tokenIds: number[]; logprobs: number[]; text: string; finishReason: FinishReason }[]>;
}

export interface LocalGeneratorOptions {
  model: CausalLMLike;
  id?: string;
  /** Default true. A local model may still be used frozen. */
  trainable?: boolean;
  /** Most prompts per model.generate call (default: all at once). */
  maxBatchSize?: number;
}

/**
 * A local `@magic/lm` model: prompts go in as exact token ids (the rollout's spliced ids; a request
 * without ids is rendered with the tokenizer's chat template), and the sampled ids and log-probs come
 * back untouched. Requests are batched per `maxNewTokens` value.
 */
export class LocalGenerator implements Generator {
  readonly id: string;
  readonly trainable: boolean;
  readonly tokenExact = true;
  readonly tokenizer: ChatTokenizer;
  readonly #model: CausalLMLike;
  readonly #maxBatchSize: number;

  constructor(options: LocalGeneratorOptions) {
    this.#model = options.model;
    this.tokenizer = options.model.tokenizer;
    this.id = options.id ?? 'local';
    this.trainable = options.trainable ?? true;
    this.#maxBatchSize = options.maxBatchSize ?? Number.POSITIVE_INFINITY;
  }

  async generate(requests: GenerationRequest[], sampling: SamplingOptions): Promise<GenerationResult[]> {
    const results: GenerationResult[] = new Array(requests.length);
    let call = 0;
    for (const [maxNewTokens, indices] of groupByBudget(requests)) {
      for (let start = 0; start < indices.length; start += this.#maxBatchSize) {
        const chunk = indices.slice(start, start + this.#maxBatchSize);
        const prompts = chunk.map(({ request }) => this.#promptIds(request));
        const seed = sampling.seed === undefined ? undefined : sampling.seed + call++;
        const outputs = await this.#model.generate(prompts, { ...sampling, maxNewTokens, seed });
        if (outputs.length !== chunk.length) {
          throw new GeneratorOutputError(this.id, 'length', `asked ${chunk.length} prompts, got ${outputs.length}`);
        }
        for (const [k, { index }] of chunk.entries()) {
          results[index] = this.#check(at(outputs, k, 'model outputs'), maxNewTokens);
        }
      }
    }
    return results;
  }

  #promptIds(request: GenerationRequest): number[] {
    return (
      request.promptIds ??
      this.tokenizer.encode(this.tokenizer.applyChatTemplate(request.messages, { addGenerationPrompt: true }))
    );
  }

  #check(
    out: { tokenIds: number[]; logprobs: number[]; text: string; finishReason: FinishReason },
    maxNewTokens: number,
  ): GenerationResult {
    if (out.tokenIds.length !== out.logprobs.length) {
      throw new GeneratorOutputError(
        this.id,
        'logprobs',
        `${out.logprobs.length} log-probs for ${out.tokenIds.length} sampled tokens`,
      );
    }
    if (out.tokenIds.length > maxNewTokens) {
      throw new GeneratorOutputError(
        this.id,
        'tokenIds',
        `${out.tokenIds.length} tokens over maxNewTokens=${maxNewTokens}`,
      );
    }
    return { text: out.text, finishReason: out.finishReason, tokenIds: [...out.tokenIds], logprobs: [...out.logprobs] };
  }
}

function groupByBudget(requests: GenerationRequest[]): Map<number, { index: number; request: GenerationRequest }[]> {
  const groups = new Map<number, { index: number; request: GenerationRequest }[]>();
  for (const [index, request] of requests.entries()) {
    const list = groups.get(request.maxNewTokens) ?? [];
    list.push({ index, request });
    groups.set(request.maxNewTokens, list);
  }
  return groups;
}
