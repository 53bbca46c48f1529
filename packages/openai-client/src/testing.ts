import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as seen by a test server. `json` is undefined when the body is empty or not JSON. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  rawBody: string;
  json: unknown;
}

/** What the handler wants sent back. `text` is written verbatim (use it for truncated JSON). */
export interface TestReply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  /** Wait this long before answering (to trip client timeouts). */
  delayMs?: number;
  /** Close the socket without an HTTP reply (a network error for the client). */
  destroySocket?: boolean;
}

export type TestHandler = (request: RecordedRequest, index: number) => TestReply | Promise<TestReply>;

export interface TestServer {
  /** Base URL including `/v1`, ready for `new OpenAICompatibleClient({ baseURL })`. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A chat-completions reply body with one choice. */
export function chatCompletionBody(text: string, finishReason: string | null = 'stop', model = 'test-model') {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finishReason }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tryJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function answer(res: ServerResponse, reply: TestReply, timers: Set<NodeJS.Timeout>): Promise<void> {
  if (reply.delayMs) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, reply.delayMs);
      timers.add(t);
    });
  }
  if (res.destroyed) return;
  if (reply.destroySocket) {
    res.socket?.destroy();
    return;
  }
  const body = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
  const contentType = reply.text === undefined ? 'application/json' : 'text/plain';
  res.writeHead(reply.status ?? 200, { 'content-type': contentType, ...reply.headers });
  res.end(body);
}

/**
 * A loopback HTTP server for tests of OpenAI-compatible clients: every request is recorded and answered by
 * `handler`, which can delay, fail, truncate or drop the reply.
 */
export async function startOpenAICompatibleServer(options: {
  handler: TestHandler;
  port?: number;
}): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer(async (req, res) => {
    const rawBody = await readBody(req);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      rawBody,
      json: tryJson(rawBody),
    };
    const index = requests.push(recorded) - 1;
    try {
      await answer(res, await options.handler(recorded, index), timers);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error) } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Alias kept for readability in other packages' tests. */
export const createChatServer = startOpenAICompatibleServer;
