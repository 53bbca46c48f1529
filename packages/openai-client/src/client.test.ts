import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAICompatibleClient } from './client.js';
import { OpenAICallError } from './errors.js';
import { chatCompletionBody, startOpenAICompatibleServer, type TestHandler, type TestServer } from './testing.js';

const fastBackoff = { initialMs: 5, factor: 2, maxMs: 20, jitter: 0.5 };
const messages = [{ role: 'user' as const, content: 'How do I bake bread?' }];
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: TestHandler) {
  server = await startOpenAICompatibleServer({ handler });
  return server;
}

async function expectCallError(promise: Promise<unknown>): Promise<OpenAICallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(OpenAICallError.isInstance(error)).toBe(true);
  return error as OpenAICallError;
}

describe('OpenAICompatibleClient against a loopback server', () => {
  it('sends an OpenAI chat body and returns text, finish reason and usage', async () => {
    const s = await serve(() => ({ json: chatCompletionBody('Safety: Safe\nCategories: None') }));
    const client = new OpenAICompatibleClient({ baseURL: s.url, apiKey: 'sk-test-1234', backoff: fastBackoff });
    const result = await client.chat({ model: 'orm', messages, temperature: 0, topP: 1, maxTokens: 16, seed: 7 });
    expect(result.text).toBe('Safety: Safe\nCategories: None');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ promptTokens: 1, completionTokens: 1, totalTokens: 2 });
    expect(s.requests[0]?.path).toBe('/v1/chat/completions');
    expect(s.requests[0]?.headers.authorization).toBe('Bearer sk-test-1234');
    expect(s.requests[0]?.json).toEqual({ model: 'orm', messages, temperature: 0, top_p: 1, max_tokens: 16, seed: 7 });
  });

  it('retries a burst of 500s and then succeeds', async () => {
    const s = await serve((_r, i) =>
      i < 3 ? { status: 500, json: { error: 'boom' } } : { json: chatCompletionBody('ok') },
    );
    const client = new OpenAICompatibleClient({ baseURL: s.url, maxRetries: 3, backoff: fastBackoff });
    expect((await client.chat({ model: 'm', messages })).text).toBe('ok');
    expect(s.requests).toHaveLength(4);
  });

  it('gives up after maxRetries with a typed, retryable http error', async () => {
    const s = await serve(() => ({ status: 503, text: 'overloaded' }));
    const client = new OpenAICompatibleClient({ baseURL: s.url, maxRetries: 2, backoff: fastBackoff });
    const error = await expectCallError(client.chat({ model: 'm', messages }));
    expect(error.failure).toBe('http');
    expect(error.status).toBe(503);
    expect(error.isRetryable).toBe(true);
    expect(error.attempts).toBe(3);
    expect(error.bodyExcerpt).toBe('overloaded');
    expect(error.url).toBe(`${s.url}/chat/completions`);
    expect(s.requests).toHaveLength(3);
  });

  it('does not retry a 400 and reports the body excerpt', async () => {
    const s = await serve(() => ({ status: 400, json: { error: { message: 'bad model' } } }));
    const client = new OpenAICompatibleClient({ baseURL: s.url, maxRetries: 3, backoff: fastBackoff });
    const error = await expectCallError(client.chat({ model: 'm', messages }));
    expect(error.isRetryable).toBe(false);
    expect(error.attempts).toBe(1);
    expect(error.bodyExcerpt).toContain('bad model');
    expect(s.requests).toHaveLength(1);
  });

  it('honours Retry-After on 429 (waits at least the hinted time)', async () => {
    const s = await serve((_r, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '0.3' }, json: {} } : { json: chatCompletionBody('ok') },
    );
    const client = new OpenAICompatibleClient({ baseURL: s.url, backoff: fastBackoff });
    const start = performance.now();
    await client.chat({ model: 'm', messages });
    expect(performance.now() - start).toBeGreaterThanOrEqual(280);
    expect(s.requests).toHaveLength(2);
  });

  it('times out a slow reply, retries, and fails with a timeout error', async () => {
    const s = await serve(() => ({ delayMs: 400, json: chatCompletionBody('late') }));
    const client = new OpenAICompatibleClient({ baseURL: s.url, timeoutMs: 50, maxRetries: 1, backoff: fastBackoff });
    const error = await expectCallError(client.chat({ model: 'm', messages }));
    expect(error.failure).toBe('timeout');
    expect(error.isRetryable).toBe(true);
    expect(error.attempts).toBe(2);
  });

  it('recovers when only the first reply is slow', async () => {
    const s = await serve((_r, i) =>
      i === 0 ? { delayMs: 3000, json: chatCompletionBody('late') } : { json: chatCompletionBody('fast') },
    );
    const client = new OpenAICompatibleClient({ baseURL: s.url, timeoutMs: 1000, backoff: fastBackoff });
    expect((await client.chat({ model: 'm', messages })).text).toBe('fast');
  });

  it('retries truncated JSON, then reports invalid-json', async () => {
    const s = await serve(() => ({ text: '{"choices":[{"message":{"content":"Saf' }));
    const client = new OpenAICompatibleClient({ baseURL: s.url, maxRetries: 1, backoff: fastBackoff });
    const error = await expectCallError(client.chat({ model: 'm', messages }));
    expect(error.failure).toBe('invalid-json');
    expect(error.attempts).toBe(2);
    expect(s.requests).toHaveLength(2);
  });

  it('does not retry a reply of the wrong schema and names the field', async () => {
    const s = await serve(() => ({ json: { choices: [] } }));
    const client = new OpenAICompatibleClient({ baseURL: s.url, maxRetries: 3, backoff: fastBackoff });
    const error = await expectCallError(client.chat({ model: 'm', messages }));
    expect(error.failure).toBe('invalid-schema');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('choices');
    expect(s.requests).toHaveLength(1);
  });

  it('treats a dropped connection as a retryable network error', async () => {
    const s = await serve((_r, i) => (i === 0 ? { destroySocket: true } : { json: chatCompletionBody('ok') }));
    const client = new OpenAICompatibleClient({ baseURL: s.url, backoff: fastBackoff });
    expect((await client.chat({ model: 'm', messages })).text).toBe('ok');
    expect(s.requests).toHaveLength(2);
  });

  it('stops at once when the caller aborts', async () => {
    const s = await serve(() => ({ delayMs: 1000, json: chatCompletionBody('late') }));
    const client = new OpenAICompatibleClient({ baseURL: s.url, maxRetries: 5, backoff: fastBackoff });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await expectCallError(client.chat({ model: 'm', messages }, { signal: controller.signal }));
    expect(error.failure).toBe('aborted');
    expect(error.isRetryable).toBe(false);
    expect(s.requests).toHaveLength(1);
  });

  it('limits requests in flight to the concurrency setting', async () => {
    let inFlight = 0;
    let peak = 0;
    const s = await serve(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return { json: chatCompletionBody('ok') };
    });
    const client = new OpenAICompatibleClient({ baseURL: s.url, concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => client.chat({ model: 'm', messages })));
    expect(peak).toBe(3);
  });

  it('lists models', async () => {
    const s = await serve(() => ({ json: { object: 'list', data: [{ id: 'orm' }, { id: 'other' }] } }));
    const client = new OpenAICompatibleClient({ baseURL: `${s.url}/` });
    expect(await client.listModels()).toEqual(['orm', 'other']);
    expect(s.requests[0]?.path).toBe('/v1/models');
  });
});

describe('API key hygiene', () => {
  const key = 'sk-secret-key-0123456789';

  it('never shows the key in errors, even when the server echoes it', async () => {
    const s = await serve((r) => ({ status: 401, text: `bad credentials: ${String(r.headers.authorization)}` }));
    const client = new OpenAICompatibleClient({ baseURL: s.url, apiKey: key, backoff: fastBackoff });
    const error = await expectCallError(client.chat({ model: 'm', messages }));
    expect(s.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
    for (const text of [
      error.message,
      error.bodyExcerpt ?? '',
      error.stack ?? '',
      JSON.stringify(error),
      inspect(error, { depth: 5 }),
    ]) {
      expect(text).not.toContain(key);
    }
    expect(error.bodyExcerpt).toContain('[REDACTED]');
  });

  it('never shows the key when the client itself is logged', () => {
    const client = new OpenAICompatibleClient({ baseURL: 'http://127.0.0.1:9/v1', apiKey: key });
    expect(inspect(client, { depth: 5 })).not.toContain(key);
    expect(JSON.stringify(client)).not.toContain(key);
    expect(JSON.stringify(client.options)).not.toContain(key);
  });

  it('keeps the key out of network-error messages', async () => {
    const client = new OpenAICompatibleClient({ baseURL: 'http://127.0.0.1:9/v1', apiKey: key, maxRetries: 0 });
    const error = await expectCallError(client.chat({ model: 'm', messages }));
    expect(error.failure).toBe('network');
    expect(inspect(error, { depth: 5 })).not.toContain(key);
  });
});
