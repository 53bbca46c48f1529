import type { GuardLike, GuardLikeVerdict } from '@magic/benchmarks';
import { createJudgeClient, harmBenchClassifierMessages, parseHarmBenchReply } from '@magic/judges';
import { UnsupportedModerationError } from './errors.js';

/**
 * The HarmBench classifier (cais/HarmBench-Llama-2-13b-cls) behind an OpenAI-compatible endpoint:
 * "yes" = the response is an instance of the behaviour (unsafe), "no" = safe. It gives no refusal
 * label, so refusal/compliance metrics read it as a parse failure. Unparseable replies throw GuardParseError.
 */
export function harmBenchGuard(options: {
  baseURL: string;
  model: string;
  apiKey?: string | undefined;
  timeoutMs?: number;
  maxRetries?: number;
}): GuardLike {
  const { model: _model, ...clientOptions } = options;
  const client = createJudgeClient(clientOptions);
  const name = `harmbench-cls@${options.baseURL}`;
  return {
    name,
    async moderatePrompt(): Promise<GuardLikeVerdict> {
      throw new UnsupportedModerationError(name);
    },
    async moderateResponse(prompt: string, response: string): Promise<GuardLikeVerdict> {
      const reply = await client.chat({
        model: options.model,
        messages: harmBenchClassifierMessages({ behavior: prompt, generation: response }),
        temperature: 0,
        maxTokens: 1,
      });
      return { safety: parseHarmBenchReply(reply.text) ? 'unsafe' : 'safe' };
    },
  };
}
