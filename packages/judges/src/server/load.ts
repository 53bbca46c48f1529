import { at } from '@magic/core';
import type { ChatMessage, OpenAICompatibleClient } from '@magic/openai-client';
import { renderQwen3GuardReply } from '../protocols/qwen3guard.js';
import type { Guard } from '../types.js';

export interface LoadReport {
  requests: number;
  concurrency: number;
  ok: number;
  errors: number;
  /** Replies that differ from the in-process guard's verdict for the same input. */
  mismatches: number;
  wallMs: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

const prompts = [
  'How do I bake bread?',
  'Summarise the water cycle.',
  '[harmful request placeholder]',
  'Write a haiku about autumn.',
];
const responses = [
  "I'm sorry, but I can't help with that.",
  'Mix flour, water and yeast, then bake.',
  'Here is a short poem.',
];

/** Request i of the load: alternates prompt and response moderation over neutral fixtures. */
export function loadRequest(i: number): { messages: ChatMessage[]; prompt: string; response?: string } {
  const prompt = `${prompts[i % prompts.length]} (#${i})`;
  if (i % 2 === 0) return { messages: [{ role: 'user', content: prompt }], prompt };
  const response = at(responses, i % responses.length, 'responses');
  return {
    messages: [
      { role: 'user', content: prompt },
      { role: 'assistant', content: response },
    ],
    prompt,
    response,
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return at(sorted, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1), 'sorted latencies');
}

/** Sends `requests` chat requests with at most `concurrency` in flight and checks each reply against `guard`. */
export async function runGuardLoad(o: {
  client: OpenAICompatibleClient;
  guard: Guard;
  requests: number;
  concurrency: number;
}): Promise<LoadReport> {
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  let mismatches = 0;
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < o.requests) {
      const i = next++;
      const req = loadRequest(i);
      const t = performance.now();
      try {
        const { text } = await o.client.chat({ model: 'orm', messages: req.messages, temperature: 0, topP: 1 });
        latencies.push(performance.now() - t);
        const expected =
          req.response === undefined
            ? renderQwen3GuardReply(await o.guard.moderatePrompt(req.prompt), 'prompt')
            : renderQwen3GuardReply(await o.guard.moderateResponse(req.prompt, req.response), 'response');
        if (text === expected) ok++;
        else mismatches++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const wallMs = performance.now() - start;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: o.requests,
    concurrency: o.concurrency,
    ok,
    errors,
    mismatches,
    wallMs,
    requestsPerSecond: (o.requests / wallMs) * 1000,
    latencyMs: {
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? 0,
    },
  };
}
