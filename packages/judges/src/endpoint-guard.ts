import { OpenAICompatibleClient, type OpenAICompatibleClientOptions } from '@magic/openai-client';
import { z } from 'zod';
import { JudgeCallError } from './errors.js';
import type { GuardProtocol } from './protocols/protocol.js';
import type { Guard, GuardCallOptions, GuardVerdict } from './types.js';

export const endpointGuardSettingsSchema = z.object({
  /** Served model name; MAGIC uses "orm". */
  model: z.string().min(1).default('orm'),
  temperature: z.number().min(0).default(0),
  topP: z.number().gt(0).max(1).default(1),
  maxTokens: z.number().int().positive().default(128),
});

/** Makes a client whose failures are JudgeCallError. */
export function createJudgeClient(options: OpenAICompatibleClientOptions): OpenAICompatibleClient {
  return new OpenAICompatibleClient(options).setErrorFactory((init) => new JudgeCallError(init));
}

/**
 * A guard behind an OpenAI-compatible endpoint, speaking `protocol`. Call failures throw JudgeCallError; a reply the
 * protocol cannot parse throws GuardParseError.
 */
export class EndpointGuard implements Guard {
  readonly name: string;
  readonly settings: z.output<typeof endpointGuardSettingsSchema>;
  readonly #client: OpenAICompatibleClient;
  readonly #protocol: GuardProtocol;

  constructor(
    options: { client: OpenAICompatibleClient; protocol: GuardProtocol; name?: string } & z.input<
      typeof endpointGuardSettingsSchema
    >,
  ) {
    const { client, protocol, name, ...settings } = options;
    this.settings = endpointGuardSettingsSchema.parse(settings);
    this.#client = client.setErrorFactory((init) => new JudgeCallError(init));
    this.#protocol = protocol;
    this.name = name ?? `${protocol.name}@${client.baseURL}`;
  }

  async moderatePrompt(prompt: string, options: GuardCallOptions = {}): Promise<GuardVerdict> {
    const text = await this.#ask(this.#protocol.promptModeration(prompt), options);
    return this.#protocol.parsePromptModeration(text);
  }

  async moderateResponse(prompt: string, response: string, options: GuardCallOptions = {}): Promise<GuardVerdict> {
    const text = await this.#ask(this.#protocol.responseModeration(prompt, response), options);
    return this.#protocol.parseResponseModeration(text);
  }

  async #ask(messages: ReturnType<GuardProtocol['promptModeration']>, options: GuardCallOptions): Promise<string> {
    const { model, temperature, topP, maxTokens } = this.settings;
    const result = await this.#client.chat(
      { model, messages, temperature, topP, maxTokens },
      { signal: options.signal },
    );
    return result.text;
  }
}
