import type {
  ChatMessage,
  ChatTokenizer,
  FinishReason,
  GenerationRequest,
  GenerationResult,
  Generator,
  SamplingOptions,
} from './types.js';

/** What RemoteGenerator needs from a client; `@magic/openai-client`'s OpenAICompatibleClient satisfies it. */
export interface ChatClientLike {
  chat(request: {
    model: string;
    messages: ChatMessage[];
    temperature?: number;
    topP?: number;
    maxTokens?: number;
    seed?: number;
  }): Promise<{ text: string; finishReason: string | null }>;
}

export interface RemoteGeneratorOptions {
  client: ChatClientLike;
  /** Model name sent to the endpoint. */
  model: string;
  id?: string;
  /** Optional tokenizer of the served model, used only to measure prompt lengths for maxPromptLength. */
  tokenizer?: ChatTokenizer;
}

/**
 * An OpenAI-compatible endpoint (vLLM, SGLang, ...). Text only, so `trainable` is false: use it for a
 * frozen role or an evaluation target. Requests run concurrently up to the client's own limit.
 */
export class RemoteGenerator implements Generator {
  readonly id: string;
  readonly trainable = false;
  readonly tokenExact = false;
  readonly tokenizer?: ChatTokenizer;
  readonly #client: ChatClientLike;
  readonly #model: string;

  constructor(options: RemoteGeneratorOptions) {
    this.#client = options.client;
    this.#model = options.model;
    this.id = options.id ?? `remote:${options.model}`;
    this.tokenizer = options.tokenizer;
  }

  generate(requests: GenerationRequest[], sampling: SamplingOptions): Promise<GenerationResult[]> {
    return Promise.all(
      requests.map(async (request, i) => {
        const reply = await this.#client.chat({
          model: this.#model,
          messages: request.messages,
          temperature: sampling.temperature,
          topP: sampling.topP,
          maxTokens: request.maxNewTokens,
          seed: sampling.seed === undefined ? undefined : sampling.seed + i,
        });
        return { text: reply.text, finishReason: mapFinishReason(reply.finishReason) };
      }),
    );
  }
}

/** OpenAI finish reasons: 'length' is a truncation; anything else ('stop', null, ...) a normal stop. */
function mapFinishReason(reason: string | null): FinishReason {
  return reason === 'length' ? 'length' : 'stop';
}
