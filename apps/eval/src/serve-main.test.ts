import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at } from '@magic/core';
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveMain } from './serve-main.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'magic-serve-'));
  await initBackend({ device: 'wasm' });
  const lm = await CausalLM.fromPreset('tiny', { seed: 1 });
  await lm.save(join(dir, 'defender'));
  lm.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('magic-serve', () => {
  it('serves a checkpoint over HTTP with a bearer token, prints the URL, and shuts down on the stop signal', async () => {
    const out: string[] = [];
    const err: string[] = [];
    let stop!: (signal: string) => void;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const exit = serveMain(
      ['--model', join(dir, 'defender'), '--port', '0', '--device', 'wasm', '--max-tokens', '3'],
      {
        stdout: { write: (s) => out.push(s) },
        stderr: { write: (s) => err.push(s) },
        env: { MAGIC_SERVE_API_KEY: 'sk-test' },
      },
      () => stopped,
    );
    while (out.length === 0) await new Promise((r) => setTimeout(r, 10));
    const url = /on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(at(out, 0, 'out'))?.[1];
    expect(url, out[0]).toBeDefined();
    expect(out[0]).toContain('bearer token required');
    const auth = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };
    expect((await fetch(`${url}/models`)).status).toBe(401);
    const models = await (await fetch(`${url}/models`, { headers: auth })).json();
    expect(models.data[0].id).toBe('defender');
    // a prompt longer than the 1024-token window is cut from the left instead of failing
    const reply = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ messages: [{ role: 'user', content: 'word '.repeat(1500) }] }),
    });
    expect(reply.status).toBe(200);
    const body = await reply.json();
    expect(body.usage.completion_tokens).toBeLessThanOrEqual(3);
    expect(typeof body.choices[0].message.content).toBe('string');
    stop('SIGTERM');
    expect(await exit).toBe(0);
    expect(err.join('')).toContain('SIGTERM: shutting down');
    expect(err.join('')).toContain('stopped after 1 requests (1 prompts truncated to fit)');
    await expect(fetch(`${url}/models`, { headers: auth })).rejects.toThrow();
  });

  it('exits 2 on usage errors and 1 when the checkpoint cannot be loaded', async () => {
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) }, env: {} };
    expect(await serveMain(['--port', '1'], io)).toBe(2);
    expect(err.join('')).toContain('--model: is required');
    expect(
      await serveMain(
        ['--model', join(dir, 'missing'), '--port', '0', '--device', 'wasm'],
        io,
        () => new Promise(() => {}),
      ),
    ).toBe(1);
    expect(err.join('')).toMatch(/magic-serve: failed: LM_/);
  });
});
