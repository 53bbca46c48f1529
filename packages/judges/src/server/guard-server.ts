import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      reject(new HttpError(413, 'request_too_large', `request body over ${maxBytes} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new HttpError(413, 'request_too_large', `request body over ${maxBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function authorized(req: IncomingMessage, apiKey: string | undefined): boolean {
  if (!apiKey) return true;
  const header = req.headers.authorization ?? '';
  const expected = Buffer.from(`Bearer ${apiKey}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
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
  if (!last) throw new HttpError(400, 'invalid_request_error', 'messages need a user or assistant message');
  if (last.role === 'user') return { mode: 'prompt', prompt: textOf(last.content), response: '' };
  const user = turns.slice(0, -1).findLast((m) => m.role === 'user');
  if (!user) throw new HttpError(400, 'invalid_request_error', 'an assistant message must follow a user message');
  return { mode: 'response', prompt: textOf(user.content), response: textOf(last.content) };
}

function parseRequest(raw: string, maxMessages: number): ChatCompletionRequest {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  }
  const parsed = chatCompletionRequestSchema(maxMessages).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new HttpError(400, 'invalid_request_error', `${where}: ${issue?.message ?? 'invalid request'}`);
  }
  return parsed.data;
}

let completionCounter = 0;

async function chatCompletion(guard: Guard, request: ChatCompletionRequest) {
  const target = moderationTarget(request.messages);
  const verdict =
    target.mode === 'prompt'
      ? await guard.moderatePrompt(target.prompt)
      : await guard.moderateResponse(target.prompt, target.response);
  const text = renderQwen3GuardReply(verdict, target.mode);
  const promptTokens = request.messages.reduce((n, m) => n + Math.ceil(textOf(m.content).length / 4), 0);
  const completionTokens = Math.ceil(text.length / 4);
  return {
    id: `chatcmpl-guard-${++completionCounter}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

type Settings = z.output<typeof guardServerOptionsSchema>;

async function route(req: IncomingMessage, res: ServerResponse, guard: Guard, settings: Settings) {
  const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
  if (path === '/health') return sendJson(res, 200, { status: 'ok', guard: guard.name });
  if (!authorized(req, settings.apiKey))
    throw new HttpError(401, 'authentication_error', 'missing or wrong bearer token');
  if (path === '/v1/models') {
    if (req.method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'use GET');
    return sendJson(res, 200, {
      object: 'list',
      data: [{ id: settings.modelName, object: 'model', owned_by: 'magic', created: 0 }],
    });
  }
  if (path === '/v1/chat/completions') {
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'use POST');
    const request = parseRequest(await readBody(req, settings.maxBodyBytes), settings.maxMessages);
    return sendJson(res, 200, await chatCompletion(guard, request));
  }
  throw new HttpError(404, 'not_found', `no route ${req.method} ${path}`);
}

/**
 * An OpenAI-compatible guard server answering in Qwen3Guard-Gen's text format: `POST /v1/chat/completions`,
 * `GET /v1/models`, `GET /health`. Optional bearer auth, body-size and message-count limits, JSON 4xx errors.
 */
export async function startGuardServer(options: GuardServerOptions = {}): Promise<GuardServer> {
  const { guard: givenGuard, ...rest } = options;
  const settings = guardServerOptionsSchema.parse(rest);
  const guard = givenGuard ?? LocalGuard.load();
  const server = createServer((req, res) => {
    route(req, res, guard, settings).catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof HttpError) {
        sendJson(res, error.status, { error: { message: error.message, type: error.type, code: error.status } });
      } else {
        sendJson(res, 500, { error: { message: 'guard failed', type: 'server_error', code: 500 } });
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return {
    url: `http://${host}:${port}/v1`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
