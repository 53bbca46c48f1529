import {
  type ChatCompletionReply,
  OpenAIServerError,
  parseRequestBody,
  startOpenAIServer,
} from '@magic/openai-client/server';
import type { z } from 'zod';
import { LocalGuard } from '../local/local-guard.js';
import { renderQwen3GuardReply } from '../protocols/qwen3guard.js';
import type { Guard, ModerationMode } from '../types.js';
import { type ChatCompletionRequest, chatCompletionRequestSchema, guardServerOptionsSchema } from './request-schema.js';

export type GuardServerOptions = z.input<typeof guardServerOptionsSchema> & { guard?: Guard };

export interface GuardServer {
  /** Base URL including `/v1`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

function textOf(content: ChatCompletionRequest['messages'][number]['content']): string {
  return typeof content === 'string' ? content : content.map((p) => p.text).join('');
}

/** Prompt moderation when the last message is the user's; response moderation when it is the assistant's. */
export function moderationTarget(messages: ChatCompletionRequest['messages']): {
  mode: ModerationMode;
  prompt: string;
  response: string;
} {
  const turns = messages.filter((m) => m.role !== 'system');
  const last = turns.at(-1);
  if (!last) throw new OpenAIServerError(400, 'invalid_request_error', 'messages need a user or assistant message');
  if (last.role === 'user') return { mode: 'prompt', prompt: textOf(last.content), response: '' };
  const user = turns.slice(0, -1).findLast((m) => m.role === 'user');
  if (!user)
    throw new OpenAIServerError(400, 'invalid_request_error', 'an assistant message must follow a user message');
  return { mode: 'response', prompt: textOf(user.content), response: textOf(last.content) };
}

async function chatCompletion(guard: Guard, request: ChatCompletionRequest): Promise<ChatCompletionReply> {
  const target = moderationTarget(request.messages);
  const verdict =
    target.mode === 'prompt'
      ? await guard.moderatePrompt(target.prompt)
      : await guard.moderateResponse(target.prompt, target.response);
  const content = renderQwen3GuardReply(verdict, target.mode);
  return {
    content,
    model: request.model,
    finishReason: 'stop',
    promptTokens: request.messages.reduce((n, m) => n + Math.ceil(textOf(m.content).length / 4), 0),
    completionTokens: Math.ceil(content.length / 4),
  };
}

/**
 * An OpenAI-compatible guard server answering in Qwen3Guard-Gen's text format: `POST /v1/chat/completions`,
 * `GET /v1/models`, `GET /health`. Optional bearer auth, body-size and message-count limits, JSON 4xx errors
 * (the HTTP side is @magic/openai-client's `startOpenAIServer`).
 */
export async function startGuardServer(options: GuardServerOptions = {}): Promise<GuardServer> {
  const { guard: givenGuard, ...rest } = options;
  const settings = guardServerOptionsSchema.parse(rest);
  const guard = givenGuard ?? LocalGuard.load();
  const { url, port, close } = await startOpenAIServer({
    host: settings.host,
    port: settings.port,
    apiKey: settings.apiKey,
    maxBodyBytes: settings.maxBodyBytes,
    modelName: settings.modelName,
    health: () => ({ guard: guard.name }),
    parseChatRequest: (json) => parseRequestBody(chatCompletionRequestSchema(settings.maxMessages), json),
    chat: (request) => chatCompletion(guard, request),
    failureMessage: () => 'guard failed',
    idPrefix: 'chatcmpl-guard',
  });
  return { url, port, close };
}
