import type { Server } from 'node:http';
import { at } from '@magic/core';
import { parseRequestBody, startOpenAIServer } from '@magic/openai-client/server';
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
    const first = at(batch, 0, 'batch').request;
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

  const chat = async (request: ChatRequest) => {
    stats.chatRequests += 1;
    const prompt = model.tokenizer.applyChatTemplate(request.messages, { addGenerationPrompt: true });
    const promptIds = model.tokenizer.encode(prompt);
    const out = await enqueue(request, promptIds);
    return {
      content: out.text,
      finishReason: out.finishReason,
      promptTokens: promptIds.length,
      completionTokens: out.completionTokens,
    };
  };

  // routing, bearer auth (constant time), body limits and error bodies are the shared OpenAI server base's
  const base = await startOpenAIServer({
    host: o.host,
    port: o.port,
    apiKey: o.apiKey,
    maxBodyBytes: o.maxBodyBytes,
    modelName: o.modelName,
    parseChatRequest: (json) => parseRequestBody(chatRequestSchema, json),
    chat,
    failureMessage: (error) => `generation failed: ${error instanceof Error ? error.message : String(error)}`,
  });
  return {
    url: base.url,
    server: base.server,
    stats,
    close: async () => {
      for (const t of timers.values()) clearTimeout(t);
      await base.close();
    },
  };
}
