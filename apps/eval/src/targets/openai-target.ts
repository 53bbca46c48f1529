import type { ChatMessage, ChatTarget, GenerationParams } from '@magic/benchmarks';
import { OpenAICompatibleClient } from '@magic/openai-client';

/** Any OpenAI-compatible chat endpoint as a benchmark ChatTarget (one request per chat, client-side concurrency). */
export function openaiChatTarget(options: {
  id: string;
  baseURL: string;
  model: string;
  apiKey?: string | undefined;
  concurrency?: number;
  seed?: number;
  timeoutMs?: number;
  maxRetries?: number;
}): ChatTarget {
  const client = new OpenAICompatibleClient({
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    concurrency: options.concurrency ?? 8,
    timeoutMs: options.timeoutMs ?? 300_000,
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  });
  return {
    id: options.id,
    async generate(chats: ChatMessage[][], params: GenerationParams): Promise<string[]> {
      const replies = await Promise.all(
        chats.map((messages) =>
          client.chat({
            model: options.model,
            messages,
            temperature: params.temperature,
            topP: params.topP,
            maxTokens: params.maxTokens,
            ...(options.seed === undefined ? {} : { seed: options.seed }),
          }),
        ),
      );
      return replies.map((r) => r.text);
    },
  };
}
