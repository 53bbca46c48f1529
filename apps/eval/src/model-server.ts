import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** What magic-serve needs from a model: chat rendering, tokenization and batched generation. */
export interface ServableModel {
  tokenizer: {
    encode(text: string): number[];
    applyChatTemplate(
      messages: { role: 'system' | 'user' | 'assistant'; content: string }[],
      options: { addGenerationPrompt?: boolean },
    ): string;
  };
  generate(
    prompts: number[][],
    options: {
      maxNewTokens: number;
      temperature: number;
      topP: number;
      topK?: number;
      stopStrings?: string[];
      seed?: number;
    },
  ): Promise<{ tokenIds: number[]; text: string; finishReason: 'stop' | 'length' }[]>;
}

const messageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

const chatRequestSchema = z.object({
  model: z.string().optional(),
  messages: z.array(messageSchema).min(1),
  temperature: z.number().min(0).max(2).default(0),
  top_p: z.number().gt(0).max(1).default(1),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  seed: z.number().int().optional(),
  n: z.literal(1).default(1),
  stream: z.literal(false).default(false),
});
type ChatRequest = z.infer<typeof chatRequestSchema>;

export const modelServerOptionsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(0),
  modelName: z.string().default('magic-defender'),
  /** Requests arriving within this window are generated together as one batch. */
  batchWindowMs: z.number().int().min(0).default(5),
  maxBatchSize: z.number().int().positive().default(16),
  maxTokensDefault: z.number().int().positive().default(512),
  maxTokensLimit: z.number().int().positive().default(8192),
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  apiKey: z.string().optional(),
});
export type ModelServerOptions = z.input<typeof modelServerOptionsSchema>;

interface Pending {
  request: ChatRequest;
  promptIds: number[];
  resolve: (value: { text: string; finishReason: 'stop' | 'length'; completionTokens: number }) => void;
  reject: (error: unknown) => void;
}

export interface RunningModelServer {
  url: string;
  server: Server;
  /** Counters since start: chat-completion requests accepted, and model.generate calls (batches) made. */
  stats: { chatRequests: number; generateCalls: number; generatedSequences: number };
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string, type = 'invalid_request_error'): void {
  sendJson(res, status, { error: { message, type, code: status } });
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Key under which requests may share one generate() call: same sampling parameters. */
function samplingKey(r: ChatRequest, maxTokens: number): string {
  const stops = r.stop === undefined ? [] : Array.isArray(r.stop) ? r.stop : [r.stop];
  return JSON.stringify([r.temperature, r.top_p, maxTokens, stops, r.seed ?? null]);
}

/**
 * magic-serve: an OpenAI-compatible chat-completions server for a local checkpoint, so trained
 * defenders are evaluated through the same endpoint path as any hosted model. Concurrent requests
 * with equal sampling parameters are batched into one generate() call.
 */
export async function startModelServer(
  model: ServableModel,
  options: ModelServerOptions = {},
): Promise<RunningModelServer> {
  const o = modelServerOptionsSchema.parse(options);
  const stats = { chatRequests: 0, generateCalls: 0, generatedSequences: 0 };
  const queues = new Map<string, Pending[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  let chain: Promise<void> = Promise.resolve();

  const maxTokensOf = (r: ChatRequest) =>
    Math.min(r.max_completion_tokens ?? r.max_tokens ?? o.maxTokensDefault, o.maxTokensLimit);

  const flush = (key: string) => {
    timers.delete(key);
    const batch = queues.get(key) ?? [];
    queues.delete(key);
    if (batch.length === 0) return;
    // generation runs one batch at a time: the model is not re-entrant
    chain = chain.then(() => runBatch(batch));
  };

  const runBatch = async (batch: Pending[]) => {
    const first = batch[0]!.request;
    const stops = first.stop === undefined ? undefined : Array.isArray(first.stop) ? first.stop : [first.stop];
    try {
      stats.generateCalls += 1;
      stats.generatedSequences += batch.length;
      const outputs = await model.generate(
        batch.map((p) => p.promptIds),
        {
          maxNewTokens: maxTokensOf(first),
          temperature: first.temperature,
          topP: first.top_p,
          stopStrings: stops,
          seed: first.seed,
        },
      );
      batch.forEach((p, i) => {
        const out = outputs[i];
        if (!out) p.reject(new Error(`model returned ${outputs.length} outputs for a batch of ${batch.length}`));
        else p.resolve({ text: out.text, finishReason: out.finishReason, completionTokens: out.tokenIds.length });
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  };

  const enqueue = (request: ChatRequest, promptIds: number[]) =>
    new Promise<{ text: string; finishReason: 'stop' | 'length'; completionTokens: number }>((resolve, reject) => {
      const key = samplingKey(request, maxTokensOf(request));
      const queue = queues.get(key) ?? [];
      queue.push({ request, promptIds, resolve, reject });
      queues.set(key, queue);
      if (queue.length >= o.maxBatchSize) {
        clearTimeout(timers.get(key));
        flush(key);
      } else if (!timers.has(key)) {
        timers.set(
          key,
          setTimeout(() => flush(key), o.batchWindowMs),
        );
      }
    });

  const handleChat = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req, o.maxBodyBytes);
    if (body === undefined) return sendError(res, 413, `request body exceeds ${o.maxBodyBytes} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return sendError(res, 400, 'request body is not valid JSON');
    }
    const parsed = chatRequestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return sendError(res, 400, `invalid request at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
    const request = parsed.data;
    stats.chatRequests += 1;
    const prompt = model.tokenizer.applyChatTemplate(request.messages, { addGenerationPrompt: true });
    const promptIds = model.tokenizer.encode(prompt);
    try {
      const out = await enqueue(request, promptIds);
      sendJson(res, 200, {
        id: `chatcmpl-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: o.modelName,
        choices: [{ index: 0, message: { role: 'assistant', content: out.text }, finish_reason: out.finishReason }],
        usage: {
          prompt_tokens: promptIds.length,
          completion_tokens: out.completionTokens,
          total_tokens: promptIds.length + out.completionTokens,
        },
      });
    } catch (error) {
      sendError(
        res,
        500,
        `generation failed: ${error instanceof Error ? error.message : String(error)}`,
        'server_error',
      );
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (o.apiKey && req.headers.authorization !== `Bearer ${o.apiKey}`) {
      return sendError(res, 401, 'missing or wrong bearer token', 'authentication_error');
    }
    if (req.method === 'GET' && (url.pathname === '/health' || url.pathname === '/healthz')) {
      return sendJson(res, 200, { status: 'ok' });
    }
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: [{ id: o.modelName, object: 'model', owned_by: 'magic' }] });
    }
    if (req.method === 'POST' && url.pathname === '/v1/chat/completions') {
      handleChat(req, res).catch((error) => sendError(res, 500, String(error), 'server_error'));
      return;
    }
    sendError(res, 404, `no route for ${req.method} ${url.pathname}`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${address.port}/v1`,
    server,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers.values()) clearTimeout(t);
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
