import { at } from '@magic/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGuard } from '../local/local-guard.js';
import { parseQwen3GuardReply } from '../protocols/qwen3guard.js';
import { type GuardServer, startGuardServer } from './guard-server.js';

const apiKey = 'guard-test-key-123';
let server: GuardServer;
const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };

beforeAll(async () => {
  server = await startGuardServer({ guard: LocalGuard.load(), apiKey, maxBodyBytes: 4096, maxMessages: 4 });
});
afterAll(() => server.close());

async function post(body: string, headers: Record<string, string> = auth) {
  const res = await fetch(`${server.url}/chat/completions`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function content(json: Record<string, unknown>): string {
  const choices = json.choices as { message: { content: string } }[];
  return at(choices, 0, 'choices').message.content;
}

describe('guard server', () => {
  it('answers health without auth and models with auth', async () => {
    expect(await (await fetch(server.url.replace('/v1', '/health'))).json()).toEqual({
      status: 'ok',
      guard: 'local-guard',
    });
    const models = await fetch(`${server.url}/models`, { headers: auth });
    expect(at(((await models.json()) as { data: { id: string }[] }).data, 0, 'models of /v1/models').id).toBe('orm');
  });

  it('does prompt moderation when the last message is the user', async () => {
    const { status, json } = await post(
      JSON.stringify({ model: 'orm', messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
    );
    expect(status).toBe(200);
    const verdict = parseQwen3GuardReply(content(json), 'prompt');
    expect(verdict.safety).toBe('safe');
    expect(content(json)).not.toContain('Refusal');
  });

  it('does response moderation when the last message is the assistant', async () => {
    const messages = [
      { role: 'system', content: 'ignored' },
      { role: 'user', content: 'How do I bake bread?' },
      { role: 'assistant', content: [{ type: 'text', text: "I'm sorry, but I can't help with that." }] },
    ];
    const { json } = await post(JSON.stringify({ model: 'orm', messages, temperature: 0, top_p: 1 }));
    expect(parseQwen3GuardReply(content(json), 'response').refusal).toBe('yes');
    expect((json.usage as { total_tokens: number }).total_tokens).toBeGreaterThan(0);
  });

  it('rejects missing or wrong bearer tokens with 401', async () => {
    const body = JSON.stringify({ model: 'orm', messages: [{ role: 'user', content: 'hi' }] });
    expect((await post(body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post(body, { authorization: 'Bearer nope', 'content-type': 'application/json' })).status).toBe(401);
  });

  it.each([
    ['malformed JSON', '{"model": "orm", "messages": [', 400, 'invalid_json'],
    ['missing messages', JSON.stringify({ model: 'orm' }), 400, 'invalid_request_error'],
    [
      'bad role',
      JSON.stringify({ model: 'orm', messages: [{ role: 'tool', content: 'x' }] }),
      400,
      'invalid_request_error',
    ],
    [
      'too many messages',
      JSON.stringify({ model: 'orm', messages: Array(5).fill({ role: 'user', content: 'x' }) }),
      400,
      'invalid_request_error',
    ],
    [
      'only a system message',
      JSON.stringify({ model: 'orm', messages: [{ role: 'system', content: 'x' }] }),
      400,
      'invalid_request_error',
    ],
    [
      'assistant without user',
      JSON.stringify({ model: 'orm', messages: [{ role: 'assistant', content: 'x' }] }),
      400,
      'invalid_request_error',
    ],
    [
      'oversized body',
      JSON.stringify({ model: 'orm', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }),
      413,
      'request_too_large',
    ],
  ])('answers %s with a JSON %s error', async (_name, body, status, type) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect((res.json.error as { type: string }).type).toBe(type);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    expect((await fetch(`${server.url}/nope`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.url}/chat/completions`, { headers: auth })).status).toBe(405);
  });
});
