import { defined } from '@magic/core';
import { OpenAICompatibleClient, startOpenAICompatibleServer, type TestServer } from '@magic/openai-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createJudgeClient, EndpointGuard } from '../endpoint-guard.js';
import { GuardParseError, JudgeCallError, JudgeFailureError } from '../errors.js';
import { qwen3GuardProtocol, renderQwen3GuardReply } from '../protocols/qwen3guard.js';
import { isJudgeFailure } from './compute.js';
import { guardUnderPolicy, judgeWithPolicy } from './judge-policy.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A loopback judge that answers by request number: 0 → HTTP 500, 1 → non-JSON, 2 → garbage text, then valid. */
async function faultyGuard(): Promise<EndpointGuard> {
  const valid = renderQwen3GuardReply({ safety: 'safe', categories: [], refusal: 'no' }, 'response');
  server = await startOpenAICompatibleServer({
    handler: (_req, i) => {
      if (i === 0) return { status: 500, json: { error: { message: 'boom' } } };
      if (i === 1) return { status: 200, text: 'not json at all' };
      const content = i === 2 ? 'garbled verdict text' : valid;
      return { json: { choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] } };
    },
  });
  const client = createJudgeClient({ baseURL: server.url, maxRetries: 0, timeoutMs: 2_000 });
  return new EndpointGuard({ client, protocol: qwen3GuardProtocol });
}

describe('judgeWithPolicy against a faulty loopback judge', () => {
  it('turns HTTP 500, non-JSON and garbage into JudgeFailure, and passes a valid verdict through', async () => {
    const guard = await faultyGuard();
    const ctx = { policy: 'skip-episode' as const, endpoint: defined(server, 'server').url, field: 'qa' };
    const call = () => judgeWithPolicy(() => guard.moderateResponse('placeholder prompt', 'placeholder reply'), ctx);
    const [a, b, c, d] = [await call(), await call(), await call(), await call()];
    expect(isJudgeFailure(a) && JudgeCallError.isInstance(a.error)).toBe(true);
    expect(isJudgeFailure(b) && JudgeCallError.isInstance(b.error)).toBe(true);
    expect(isJudgeFailure(c) && GuardParseError.isInstance(c.error)).toBe(true);
    expect(isJudgeFailure(d)).toBe(false);
    expect(!isJudgeFailure(d) && d.refusal).toBe('no');
  });

  it("'error' throws JudgeFailureError naming the endpoint, with the call's error as cause", async () => {
    const guard = await faultyGuard();
    const e = await judgeWithPolicy(() => guard.moderatePrompt('placeholder prompt'), {
      policy: 'error',
      endpoint: defined(server, 'server').url,
      field: 'q',
    }).catch((err: unknown) => err);
    expect(JudgeFailureError.isInstance(e)).toBe(true);
    const err = e as JudgeFailureError;
    expect(err.endpoint).toBe(defined(server, 'server').url);
    expect(err.message).toContain(defined(server, 'server').url);
    expect(JudgeCallError.isInstance(err.cause)).toBe(true);
  });

  it('an abort is rethrown, not turned into a failure', async () => {
    server = await startOpenAICompatibleServer({ handler: () => ({ delayMs: 5_000, json: {} }) });
    const guard = new EndpointGuard({
      client: new OpenAICompatibleClient({ baseURL: server.url, maxRetries: 0 }),
      protocol: qwen3GuardProtocol,
    });
    const ac = new AbortController();
    const p = judgeWithPolicy(() => guard.moderatePrompt('placeholder', { signal: ac.signal }), {
      policy: 'skip-episode',
      endpoint: server.url,
      field: 'q',
      signal: ac.signal,
    });
    ac.abort();
    await expect(p).rejects.toThrow();
  });
});

describe('guardUnderPolicy', () => {
  it("rethrows the original error under 'skip-episode' and JudgeFailureError under 'error'", async () => {
    const guard = await faultyGuard();
    const skip = await guardUnderPolicy(guard, 'skip-episode')
      .moderatePrompt('placeholder')
      .catch((e: unknown) => e);
    expect(JudgeCallError.isInstance(skip)).toBe(true);
    const err = await guardUnderPolicy(guard, 'error', 'judge-at-test')
      .moderatePrompt('placeholder')
      .catch((e: unknown) => e);
    expect(JudgeFailureError.isInstance(err) && err.endpoint).toBe('judge-at-test');
    // the third request (garbage text) and the fourth (valid) pass through the wrapper unchanged
    expect(
      GuardParseError.isInstance(
        await guardUnderPolicy(guard, 'zero')
          .moderatePrompt('p')
          .catch((e) => e),
      ),
    ).toBe(true);
    expect((await guardUnderPolicy(guard, 'zero').moderatePrompt('p')).safety).toBe('safe');
  });
});
