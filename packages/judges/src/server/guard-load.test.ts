import { OpenAICompatibleClient } from '@magic/openai-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGuard } from '../local/local-guard.js';
import { type GuardServer, startGuardServer } from './guard-server.js';
import { runGuardLoad } from './load.js';

let server: GuardServer;
const guard = LocalGuard.load();
beforeAll(async () => {
  server = await startGuardServer({ guard });
});
afterAll(() => server.close());

describe('guard server under bounded concurrent load', () => {
  it('answers 200 requests at concurrency 32, each identical to the in-process verdict', async () => {
    const client = new OpenAICompatibleClient({
      baseURL: server.url,
      concurrency: 32,
      maxRetries: 0,
      timeoutMs: 10_000,
    });
    const report = await runGuardLoad({ client, guard, requests: 200, concurrency: 32 });
    expect(report.errors).toBe(0);
    expect(report.mismatches).toBe(0);
    expect(report.ok).toBe(200);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
  });
});
