import { at } from '@magic/core';
import { renderQwen3GuardReply } from '@magic/judges';
import { chatCompletionBody, startOpenAICompatibleServer, type TestReply } from '@magic/openai-client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { openGuard } from './guard.js';

const SAFE = () => ({ json: chatCompletionBody(renderQwen3GuardReply({ safety: 'safe', categories: [] }, 'prompt')) });

/** Moderates one prompt through `reward.guard` pointed at a loopback Qwen3Guard-style endpoint. */
async function moderateWith(overrides: string[], reply: (i: number) => TestReply = SAFE) {
  const server = await startOpenAICompatibleServer({ handler: (_r, i) => reply(i) });
  try {
    const config = loadConfig({
      overrides: ['reward.guard.kind=remote', `reward.guard.endpoint=${server.url}`, ...overrides],
    });
    const handle = await openGuard(config);
    const result = await handle.guard.moderatePrompt('neutral question').catch((e: unknown) => e);
    await handle.close();
    return { result, requests: server.requests, where: handle.where };
  } finally {
    await server.close();
  }
}

describe('reward.guard.* options change the guard calls', () => {
  it('reward.guard.kind picks the in-process guard, a loopback guard server, or the remote endpoint', async () => {
    const local = await openGuard(loadConfig({ overrides: ['reward.guard.kind=local'] }));
    expect(local.where).toBe('in-process');
    const served = await openGuard(loadConfig({ overrides: ['reward.guard.kind=server'] }));
    try {
      expect(served.where).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      expect((await served.guard.moderatePrompt('neutral question')).safety).toBe(
        (await local.guard.moderatePrompt('neutral question')).safety,
      );
    } finally {
      await served.close();
    }
    const remote = await moderateWith([]);
    expect(remote.requests.length).toBe(1);
    expect(remote.where).toContain('127.0.0.1');
  });

  it('reward.guard.endpoint is where the requests go', async () => {
    const { requests, result } = await moderateWith([]);
    expect(at(requests, 0, 'requests').path).toContain('/chat/completions');
    expect((result as { safety: string }).safety).toBe('safe');
  });

  it('reward.guard.model changes the request body', async () => {
    const model = async (o: string[]) =>
      (at((await moderateWith(o)).requests, 0, 'guard requests').json as { model: string }).model;
    expect(await model([])).toBe('orm');
    expect(await model(['reward.guard.model=Qwen3Guard-Gen-8B'])).toBe('Qwen3Guard-Gen-8B');
  });

  it('reward.guard.apiKey is sent as the bearer token', async () => {
    const { requests } = await moderateWith(['reward.guard.apiKey=sk-test-guard']);
    expect(at(requests, 0, 'requests').headers['authorization']).toBe('Bearer sk-test-guard');
  });

  it('reward.guard.maxRetries changes how often a failing guard is called', async () => {
    const down = () => ({ status: 503, text: 'down' });
    expect((await moderateWith(['reward.guard.maxRetries=0'], down)).requests.length).toBe(1);
    expect((await moderateWith(['reward.guard.maxRetries=2'], down)).requests.length).toBe(3);
  });

  it('reward.guard.timeoutMs turns a slow guard into a failed call', async () => {
    const slow = () => ({ ...SAFE(), delayMs: 400 });
    const ok = await moderateWith(['reward.guard.timeoutMs=5000', 'reward.guard.maxRetries=0'], slow);
    expect((ok.result as { safety: string }).safety).toBe('safe');
    const late = await moderateWith(['reward.guard.timeoutMs=50', 'reward.guard.maxRetries=0'], slow);
    expect(late.result).toBeInstanceOf(Error);
  });
});
