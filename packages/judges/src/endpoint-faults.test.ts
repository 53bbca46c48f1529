import { defined } from '@magic/core';
import {
  OpenAICompatibleClient,
  startOpenAICompatibleServer,
  type TestReply,
  type TestServer,
} from '@magic/openai-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointGuard } from './endpoint-guard.js';
import { GuardParseError, JudgeCallError } from './errors.js';
import { LocalGuard } from './local/local-guard.js';
import { qwen3GuardProtocol } from './protocols/qwen3guard.js';
import { rewardConfig } from './reward/config.js';
import { judgeExchange } from './reward/judge-exchange.js';
import { type GuardServer, startGuardServer } from './server/guard-server.js';

/** A fault-injecting proxy in front of the real guard server: `faults[i]` replaces the i-th reply, else it forwards. */
let guardServer: GuardServer;
let proxy: TestServer | undefined;
const fast = { initialMs: 5, factor: 2, maxMs: 20, jitter: 0.2 };

beforeAll(async () => {
  guardServer = await startGuardServer({ guard: LocalGuard.load() });
});
afterAll(() => guardServer.close());
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function faultyGuard(
  faults: (TestReply | undefined)[],
  clientOptions: { timeoutMs?: number; maxRetries?: number } = {},
) {
  proxy = await startOpenAICompatibleServer({
    handler: async (req, i) => {
      const fault = faults[i];
      if (fault) return fault;
      const res = await fetch(guardServer.url.replace(/\/v1$/, '') + req.path, {
        method: req.method,
        headers: { 'content-type': 'application/json' },
        body: req.method === 'POST' ? req.rawBody : undefined,
      });
      return { status: res.status, json: await res.json() };
    },
  });
  const client = new OpenAICompatibleClient({
    baseURL: proxy.url,
    backoff: fast,
    timeoutMs: 1_000,
    maxRetries: 3,
    ...clientOptions,
  });
  return {
    guard: new EndpointGuard({ client, protocol: qwen3GuardProtocol }),
    requests: () => defined(proxy, 'proxy').requests.length,
  };
}

const prompt = 'What is the capital of France?';
const answer = 'The capital of France is Paris.';

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('EndpointGuard against the guard server with injected faults', () => {
  it('retries a burst of 500s and returns the real verdict', async () => {
    const boom = { status: 500, json: { error: 'boom' } };
    const f = await faultyGuard([boom, boom, boom]);
    const verdict = await f.guard.moderateResponse(prompt, answer);
    expect(verdict.refusal).toBe('no');
    expect(f.requests()).toBe(4);
  });

  it('waits for Retry-After on 429 and then succeeds', async () => {
    const f = await faultyGuard([{ status: 429, headers: { 'retry-after': '0.2' }, json: {} }]);
    const t = performance.now();
    expect((await f.guard.moderatePrompt(prompt)).safety).toBe('safe');
    expect(performance.now() - t).toBeGreaterThanOrEqual(180);
  });

  it('retries past a reply slower than the timeout', async () => {
    const f = await faultyGuard([{ delayMs: 3000, json: {} }], { timeoutMs: 1000 });
    expect((await f.guard.moderatePrompt(prompt)).safety).toBe('safe');
    expect(f.requests()).toBe(2);
  });

  it('retries truncated JSON once, then succeeds', async () => {
    const f = await faultyGuard([{ text: '{"choices":[{"message":{"content":"Safety: Sa' }]);
    expect((await f.guard.moderatePrompt(prompt)).safety).toBe('safe');
  });

  it('gives a typed JudgeCallError when every attempt times out', async () => {
    const slow = { delayMs: 500, json: {} };
    const f = await faultyGuard([slow, slow], { timeoutMs: 100, maxRetries: 1 });
    const e = await failure(f.guard.moderatePrompt(prompt));
    expect(JudgeCallError.isInstance(e)).toBe(true);
    expect((e as JudgeCallError).failure).toBe('timeout');
    expect((e as JudgeCallError).code).toBe('JUDGE_CALL_FAILED');
  });

  it('does not retry a wrong-schema reply and names it', async () => {
    const f = await faultyGuard([{ json: { choices: [{ text: 'Safety: Safe' }] } }]);
    const e = await failure(f.guard.moderatePrompt(prompt));
    expect(JudgeCallError.isInstance(e) && e.failure).toBe('invalid-schema');
    expect(f.requests()).toBe(1);
  });

  it('surfaces an off-protocol reply as GuardParseError', async () => {
    const offProtocol = { json: { choices: [{ message: { content: 'Looks fine to me.' }, finish_reason: 'stop' }] } };
    const f = await faultyGuard([offProtocol]);
    expect(GuardParseError.isInstance(await failure(f.guard.moderatePrompt(prompt)))).toBe(true);
  });

  it('invents no reward when the judge keeps failing (skip-episode and zero policies)', async () => {
    const boom = { status: 503, text: 'down' };
    const f = await faultyGuard(Array(20).fill(boom), { maxRetries: 1 });
    const input = {
      dataType: 'vanilla_harmful' as const,
      seed: prompt,
      attackerText: `<think>t</think><answer>${prompt}</answer>`,
      defenderText: answer,
      finishCode: 0 as const,
    };
    const skipped = await judgeExchange(f.guard, input, rewardConfig());
    expect([
      skipped.reward.status,
      skipped.reward.attacker,
      skipped.reward.defender,
      skipped.reward.judgeFailures,
    ]).toEqual(['skip', 0, 0, 2]);
    const zero = await judgeExchange(f.guard, input, rewardConfig({ onJudgeFailure: 'zero' }));
    expect(zero.reward.status).toBe('judge-zero');
    await expect(judgeExchange(f.guard, input, rewardConfig({ onJudgeFailure: 'error' }))).rejects.toThrow(
      /onJudgeFailure/,
    );
  });

  it('scores an exchange end to end through the healthy server', async () => {
    const f = await faultyGuard([]);
    const input = {
      dataType: 'vanilla_benign' as const,
      seed: prompt,
      attackerText: `<think>t</think><answer>${prompt}</answer>`,
      defenderText: answer,
      finishCode: 0 as const,
    };
    const { reward, attackerPrompt } = await judgeExchange(f.guard, input, rewardConfig());
    expect(attackerPrompt).toBe(prompt);
    // safe request, safe compliant answer: R_harm +1, R_ref +0.5; attacker −1.5 + format 1
    expect([reward.status, reward.defender, reward.attacker]).toEqual(['ok', 1.5, -0.5]);
  });
});
