import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAICompatibleClient } from './client.js';
import { bearerMatches, type OpenAIServer, OpenAIServerError, parseRequestBody, startOpenAIServer } from './server.js';

const echoSchema = z.object({ messages: z.array(z.object({ content: z.string() })) });

let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server whose chat echoes the last message's text; `fail` makes chat throw that error. */
async function start(opts: { apiKey?: string; fail?: unknown; maxBodyBytes?: number } = {}) {
  server = await startOpenAIServer({
    host: '127.0.0.1',
    port: 0,
    apiKey: opts.apiKey,
    maxBodyBytes: opts.maxBodyBytes ?? 10_000,
    modelName: 'echo',
    health: () => ({ kind: 'echo' }),
    parseChatRequest: (json) => parseRequestBody(echoSchema, json),
    chat: async ({ messages }) => {
      if (opts.fail) throw opts.fail;
      const content = messages.at(-1)?.content ?? '';
      return { content, finishReason: 'stop', promptTokens: 3, completionTokens: content.length };
    },
    failureMessage: (e) => `echo failed: ${(e as Error).message}`,
  });
  return server;
}

const post = (s: OpenAIServer, body: string, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/chat/completions`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('startOpenAIServer', () => {
  it('answers the OpenAI client: chat, models, health', async () => {
    const s = await start({ apiKey: 'sk-test' });
    const client = new OpenAICompatibleClient({ baseURL: s.url, apiKey: 'sk-test', maxRetries: 0 });
    const reply = await client.chat({ model: 'echo', messages: [{ role: 'user', content: 'placeholder text' }] });
    expect(reply.text).toBe('placeholder text');
    expect(reply.usage).toEqual({ promptTokens: 3, completionTokens: 16, totalTokens: 19 });
    expect(await client.listModels()).toEqual(['echo']);
    const health = await fetch(s.url.replace('/v1', '/health'));
    expect(await health.json()).toEqual({ status: 'ok', kind: 'echo' });
    expect((await fetch(s.url.replace('/v1', '/healthz'))).status).toBe(200);
  });

  it('refuses a wrong or missing key, bad JSON, bad requests, big bodies and unknown routes with OpenAI errors', async () => {
    const s = await start({ apiKey: 'sk-test', maxBodyBytes: 200 });
    const auth = { authorization: 'Bearer sk-test' };
    const cases: [Promise<Response>, number, string][] = [
      [post(s, '{}', { authorization: 'Bearer sk-tesT' }), 401, 'authentication_error'],
      [post(s, '{}'), 401, 'authentication_error'],
      [post(s, '{"messages": [', auth), 400, 'invalid_json'],
      [post(s, '{}', auth), 400, 'invalid_request_error'],
      [post(s, JSON.stringify({ messages: [{ content: 'x'.repeat(300) }] }), auth), 413, 'request_too_large'],
      [fetch(`${s.url}/completions`, { headers: auth }), 404, 'not_found'],
      [fetch(`${s.url}/chat/completions`, { headers: auth }), 405, 'method_not_allowed'],
    ];
    for (const [response, status, type] of cases) {
      const r = await response;
      expect(r.status).toBe(status);
      expect(((await r.json()) as { error: { type: string } }).error.type).toBe(type);
    }
  });

  it('turns a failed chat into a 500 with the message the caller chose', async () => {
    const s = await start({ fail: new Error('no model') });
    const r = await post(s, JSON.stringify({ messages: [{ content: 'x' }] }));
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ error: { message: 'echo failed: no model', type: 'server_error', code: 500 } });
  });
});

describe('bearerMatches', () => {
  it('accepts exactly the key, and anything when there is none', () => {
    expect(bearerMatches('Bearer k1', 'k1')).toBe(true);
    expect(bearerMatches('Bearer k2', 'k1')).toBe(false);
    expect(bearerMatches('Bearer k1 ', 'k1')).toBe(false);
    expect(bearerMatches(undefined, 'k1')).toBe(false);
    expect(bearerMatches(undefined, undefined)).toBe(true);
  });
});

describe('parseRequestBody', () => {
  it('returns the parsed body, or throws a 400 naming the first failing field', () => {
    expect(parseRequestBody(echoSchema, { messages: [{ content: 'a' }] })).toEqual({ messages: [{ content: 'a' }] });
    let error: unknown;
    try {
      parseRequestBody(echoSchema, { messages: [{ content: 1 }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OpenAIServerError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect((error as Error).message).toMatch(/^invalid request at messages\.0\.content: /);
    expect(() => parseRequestBody(echoSchema, null)).toThrow(/^invalid request at \(root\): /);
  });
});
