import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MagicError } from '@magic/core';
import type { z } from 'zod';

/**
 * A request the server refuses, answered as an OpenAI error body `{ error: { message, type, code } }` with `status`.
 * Handlers throw it for 4xx replies; anything else they throw becomes a 500.
 */
export class OpenAIServerError extends MagicError {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super('OPENAI_SERVER_REQUEST', message);
  }
}

/** One chat completion's answer; the server wraps it into the `chat.completion` object. */
export interface ChatCompletionReply {
  content: string;
  /** The reply's `model` (default: the server's modelName). */
  model?: string;
  finishReason: string;
  promptTokens: number;
  completionTokens: number;
}

export interface OpenAIServerOptions<Request> {
  host: string;
  /** 0: any free port. */
  port: number;
  /** Bearer token every route but `/health` (and `/healthz`) requires (compared in constant time); none: no auth. */
  apiKey?: string | undefined;
  /** Larger chat bodies get 413 before they are read whole. */
  maxBodyBytes: number;
  /** The one model `GET /v1/models` lists and replies name. */
  modelName: string;
  /** Extra fields of the `/health` reply. */
  health?: () => Record<string, unknown>;
  /** Validates a parsed JSON body (throw OpenAIServerError(400, ...) for a bad one). */
  parseChatRequest: (json: unknown) => Request;
  chat: (request: Request) => Promise<ChatCompletionReply>;
  /** The 500 reply's message for a failed `chat` (default: the error's message). */
  failureMessage?: (error: unknown) => string;
  /** Prefix of completion ids (default 'chatcmpl'). */
  idPrefix?: string;
}

export interface OpenAIServer {
  /** Base URL including `/v1`. */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** True when an `authorization` header carries `Bearer <apiKey>`, compared in constant time (no key: always). */
export function bearerMatches(header: string | undefined, apiKey: string | undefined): boolean {
  if (!apiKey) return true;
  const expected = Buffer.from(`Bearer ${apiKey}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A chat body validated by `schema`, for `parseChatRequest`: a bad one becomes a 400 `invalid_request_error` naming
 * the first failing field, the same reply from every server on this base.
 */
export function parseRequestBody<T>(schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') || '(root)';
  throw new OpenAIServerError(400, 'invalid_request_error', `invalid request at ${where}: ${issue?.message}`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () => new OpenAIServerError(413, 'request_too_large', `request body over ${maxBytes} bytes`);
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
      reject(tooLarge());
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

let completionCounter = 0;

/**
 * The HTTP side every OpenAI-compatible server here shares (the guard server, `magic-serve`): `GET /health`,
 * `GET /v1/models`, `POST /v1/chat/completions`, bearer auth in constant time, a body-size limit, JSON errors in
 * OpenAI's shape. What a chat request means and how it is answered is the caller's (`parseChatRequest`, `chat`).
 */
export async function startOpenAIServer<Request>(o: OpenAIServerOptions<Request>): Promise<OpenAIServer> {
  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/';
    // `/healthz`: the Kubernetes-style alias magic-serve has always answered
    if (path === '/health' || path === '/healthz') return sendJson(res, 200, { status: 'ok', ...o.health?.() });
    if (!bearerMatches(req.headers.authorization, o.apiKey)) {
      throw new OpenAIServerError(401, 'authentication_error', 'missing or wrong bearer token');
    }
    if (path === '/v1/models') {
      if (req.method !== 'GET') throw new OpenAIServerError(405, 'method_not_allowed', 'use GET');
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: o.modelName, object: 'model', owned_by: 'magic', created: 0 }],
      });
    }
    if (path !== '/v1/chat/completions')
      throw new OpenAIServerError(404, 'not_found', `no route ${req.method} ${path}`);
    if (req.method !== 'POST') throw new OpenAIServerError(405, 'method_not_allowed', 'use POST');
    let json: unknown;
    try {
      json = JSON.parse(await readBody(req, o.maxBodyBytes));
    } catch (e) {
      if (e instanceof OpenAIServerError) throw e;
      throw new OpenAIServerError(400, 'invalid_json', 'request body is not valid JSON');
    }
    const request = o.parseChatRequest(json);
    let reply: ChatCompletionReply;
    try {
      reply = await o.chat(request);
    } catch (e) {
      if (e instanceof OpenAIServerError) throw e;
      const message = o.failureMessage?.(e) ?? (e instanceof Error ? e.message : String(e));
      return sendJson(res, 500, { error: { message, type: 'server_error', code: 500 } });
    }
    sendJson(res, 200, {
      id: `${o.idPrefix ?? 'chatcmpl'}-${++completionCounter}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: reply.model ?? o.modelName,
      choices: [
        { index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: reply.finishReason },
      ],
      usage: {
        prompt_tokens: reply.promptTokens,
        completion_tokens: reply.completionTokens,
        total_tokens: reply.promptTokens + reply.completionTokens,
      },
    });
  };
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      // instanceof, not isInstance: any MagicError carries the marker, only this class a status
      if (error instanceof OpenAIServerError) {
        sendJson(res, error.status, { error: { message: error.message, type: error.type, code: error.status } });
      } else {
        sendJson(res, 500, { error: { message: 'server failed', type: 'server_error', code: 500 } });
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/v1`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
