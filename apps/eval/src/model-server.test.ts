import { defined } from '@magic/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningModelServer, type ServableModel, startModelServer } from './model-server.js';

/** A deterministic scripted model: echoes the prompt length; records batch sizes. */
function scriptedModel() {
  const batches: number[] = [];
  const model: ServableModel = {
    tokenizer: {
      encode: (text) => Array.from(text, (c) => c.charCodeAt(0) % 97),
      applyChatTemplate: (messages, { addGenerationPrompt }) =>
        messages.map((m) => `<${m.role}>${m.content}`).join('') + (addGenerationPrompt ? '<assistant>' : ''),
    },
    async generate(prompts, options) {
      batches.push(prompts.length);
      return prompts.map((p) => ({
        tokenIds: [1, 2, 3].slice(0, options.maxNewTokens),
        text: `len=${p.length} t=${options.temperature}`,
        finishReason: options.maxNewTokens <= 3 ? ('length' as const) : ('stop' as const),
      }));
    },
  };
  return { model, batches };
}

let server: RunningModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('magic-serve model server', () => {
  it('answers chat completions over real HTTP and batches concurrent requests', async () => {
    const { model, batches } = scriptedModel();
    server = await startModelServer(model, { batchWindowMs: 20, modelName: 'tiny' });
    const replies = await Promise.all(
      ['a', 'bb', 'ccc', 'dddd'].map((q) =>
        post(defined(server, 'server').url, { messages: [{ role: 'user', content: q }] }).then((r) => r.json()),
      ),
    );
    expect(replies.map((r) => r.choices[0].message.content)).toEqual([
      'len=18 t=0',
      'len=19 t=0',
      'len=20 t=0',
      'len=21 t=0',
    ]);
    expect(replies[0].model).toBe('tiny');
    expect(replies[0].usage.completion_tokens).toBe(3);
    expect(batches).toEqual([4]);
    const models = await fetch(`${server.url}/models`).then((r) => r.json());
    expect(models.data[0].id).toBe('tiny');
  });

  it('keeps requests with different sampling parameters in separate batches', async () => {
    const { model, batches } = scriptedModel();
    server = await startModelServer(model, { batchWindowMs: 20 });
    const [a, b] = await Promise.all([
      post(server.url, { messages: [{ role: 'user', content: 'x' }], temperature: 0 }).then((r) => r.json()),
      post(server.url, { messages: [{ role: 'user', content: 'x' }], temperature: 1, max_tokens: 2 }).then((r) =>
        r.json(),
      ),
    ]);
    expect(a.choices[0].message.content).toBe('len=18 t=0');
    expect(b.choices[0].message.content).toBe('len=18 t=1');
    expect(b.choices[0].finish_reason).toBe('length');
    expect(batches.sort()).toEqual([1, 1]);
  });

  it('rejects malformed JSON, bad schema, oversize bodies and missing auth with 4xx', async () => {
    const { model } = scriptedModel();
    server = await startModelServer(model, { apiKey: 'k', maxBodyBytes: 200 });
    const auth = { authorization: 'Bearer k' };
    expect((await post(server.url, {}, {})).status).toBe(401);
    const badJson = await post(server.url, '{"messages": [', auth);
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error.message).toMatch(/not valid JSON/);
    const badSchema = await post(server.url, { messages: [{ role: 'robot', content: 'x' }] }, auth);
    expect(badSchema.status).toBe(400);
    expect((await badSchema.json()).error.message).toMatch(/messages\.0\.role/);
    const big = await post(server.url, { messages: [{ role: 'user', content: 'x'.repeat(500) }] }, auth);
    expect(big.status).toBe(413);
  });

  it('checks the key through the shared base: same-length wrong keys refused, health open, failures 500', async () => {
    const { model } = scriptedModel();
    model.generate = async () => {
      throw new Error('placeholder failure');
    };
    server = await startModelServer(model, { apiKey: 'key-1' });
    const wrong = await post(
      server.url,
      { messages: [{ role: 'user', content: 'x' }] },
      { authorization: 'Bearer key-2' },
    );
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.type).toBe('authentication_error');
    for (const path of ['/health', '/healthz']) {
      expect((await fetch(server.url.replace('/v1', path))).status).toBe(200);
    }
    const failed = await post(
      server.url,
      { messages: [{ role: 'user', content: 'x' }] },
      { authorization: 'Bearer key-1' },
    );
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({
      error: { message: 'generation failed: placeholder failure', type: 'server_error', code: 500 },
    });
    expect(server.stats.chatRequests).toBe(1);
  });
});
