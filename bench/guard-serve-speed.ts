/**
 * Requests per second of `magic-guard serve` over real HTTP: the CLI runs as its own process (as users run it),
 * this process is the client. Concurrency 1 = one request at a time (batch 1); higher concurrency keeps that
 * many requests in flight. The n-gram guard has no micro-batching (it scores one request in well under a
 * millisecond); the transformer guard scores the requests waiting together in one forward pass (batch up to
 * --batch). Texts are neutral placeholders of realistic judge-input length. Every reply is checked against the
 * in-process guard. Writes JSON lines (bench/results format) to --out.
 *   npx tsx bench/guard-serve-speed.ts [--requests 2000] [--concurrency 1,8,32] [--out file.jsonl]
 *     [--guard transformer --model-dir DIR [--device wasm] [--batch 32]]
 */
import { appendFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { at } from '@magic/core';
import { type Guard, LocalGuard, renderQwen3GuardReply, TransformerGuard } from '@magic/judges';
import { type ChatMessage, OpenAICompatibleClient } from '@magic/openai-client';
import { initBackend } from '@magic/tensor';
import { startGuardServer } from './start-guard-server.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string' },
    concurrency: { type: 'string' },
    out: { type: 'string' },
    guard: { type: 'string' },
    'model-dir': { type: 'string' },
    device: { type: 'string' },
    batch: { type: 'string' },
  },
});
const guardName = values.guard ?? 'ngram';
const serveArgs =
  guardName === 'transformer'
    ? [
        '--guard',
        'transformer',
        '--model-dir',
        values['model-dir'] ?? '',
        '--device',
        values.device ?? 'wasm',
        '--batch',
        values.batch ?? '32',
      ]
    : [];
const requests = Number(values.requests ?? 2000);
const levels = (values.concurrency ?? '1,8,32').split(',').map(Number);

const words = 'the quiet river runs past green hills where farmers grow wheat and barley under a wide sky'.split(' ');
/** Deterministic neutral text of about `chars` characters. */
function text(seed: number, chars: number): string {
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < chars; i++) {
    const w = at(words, (seed * 7 + i * 13) % words.length, 'word');
    out.push(w);
    n += w.length + 1;
  }
  return out.join(' ');
}
/** Request i: even = prompt moderation (~300 chars), odd = response moderation (~300 + ~1,500 chars). */
function request(i: number): { messages: ChatMessage[]; prompt: string; response?: string } {
  const prompt = `${text(i, 300)} (#${i})`;
  if (i % 2 === 0) return { messages: [{ role: 'user', content: prompt }], prompt };
  const response = text(i + 1, 1500);
  return {
    messages: [
      { role: 'user', content: prompt },
      { role: 'assistant', content: response },
    ],
    prompt,
    response,
  };
}

let guard: Guard;
if (guardName === 'transformer') {
  await initBackend({ device: (values.device ?? 'wasm') as 'wasm' });
  guard = await TransformerGuard.load(values['model-dir'] ?? '', { maxBatchSize: Number(values.batch ?? 32) });
} else guard = LocalGuard.load();
const expected = async (i: number) => {
  const r = request(i);
  return r.response === undefined
    ? renderQwen3GuardReply(await guard.moderatePrompt(r.prompt), 'prompt')
    : renderQwen3GuardReply(await guard.moderateResponse(r.prompt, r.response), 'response');
};

// Expected replies, computed before any timing (the client must not compete with the server for CPU); their
// rate is the in-process ceiling that HTTP and JSON overhead sit on top of (all at once: batched for the
// transformer guard).
let t = performance.now();
const cpu = process.cpuUsage();
const replies = await Promise.all(Array.from({ length: requests }, (_, i) => expected(i)));
const inProcess = (requests / (performance.now() - t)) * 1000;
const cpuUsed = process.cpuUsage(cpu);
// CPU time per request does not depend on how busy the shared machine is (wall time does).
const inProcessCpuMsPerRequest = (cpuUsed.user + cpuUsed.system) / 1000 / requests;

const server = await startGuardServer(serveArgs);
const lines: Record<string, unknown>[] = [];
try {
  for (const concurrency of levels) {
    const client = new OpenAICompatibleClient({ baseURL: server.url, concurrency, maxRetries: 0, timeoutMs: 30_000 });
    const run = async (n: number) => {
      let next = 0;
      let mismatches = 0;
      let errors = 0;
      const latencies: number[] = [];
      const worker = async () => {
        while (next < n) {
          const i = next++;
          const started = performance.now();
          try {
            const { text: reply } = await client.chat({
              model: 'orm',
              messages: request(i).messages,
              temperature: 0,
              topP: 1,
            });
            latencies.push(performance.now() - started);
            if (reply !== replies[i]) mismatches++;
          } catch {
            errors++;
          }
        }
      };
      t = performance.now();
      await Promise.all(Array.from({ length: concurrency }, worker));
      const wall = performance.now() - t;
      latencies.sort((a, b) => a - b);
      return { wall, mismatches, errors, p50: latencies[Math.floor(latencies.length / 2)] ?? 0 };
    };
    await run(Math.min(200, requests)); // warm-up
    const load = at(loadavg(), 0, '1-minute load average');
    const r = await run(requests);
    const line = {
      workload: 'guard-serve',
      guard: guardName,
      ...(guardName === 'transformer' ? { device: values.device ?? 'wasm', maxBatch: Number(values.batch ?? 32) } : {}),
      transport: 'magic-guard serve (separate process), HTTP loopback',
      concurrency,
      requests,
      requestsPerSecond: (requests / r.wall) * 1000,
      p50Ms: r.p50,
      errors: r.errors,
      mismatches: r.mismatches,
      inProcessPerSecond: inProcess,
      inProcessCpuMsPerRequest,
      cores: availableParallelism(),
      loadAverage1m: load,
      node: process.version,
    };
    lines.push(line);
    console.log(JSON.stringify(line));
  }
} finally {
  server.stop();
}
if (values.out) for (const l of lines) appendFileSync(values.out, `${JSON.stringify(l)}\n`);
if (lines.some((l) => l.errors !== 0 || l.mismatches !== 0)) process.exitCode = 1;
