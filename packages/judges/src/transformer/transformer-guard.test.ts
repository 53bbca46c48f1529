import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { CausalLM, Tokenizer } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardModelError } from '../errors.js';
import { runFamilyCv } from '../eval/family-cv.js';
import type { GuardExample } from '../local/dataset.js';
import { LocalGuard } from '../local/local-guard.js';
import { startGuardServer } from '../server/guard-server.js';
import { encodeGuardInput } from './encode.js';
import { transformerGuardRecipe } from './recipe.js';
import { TransformerGuard } from './transformer-guard.js';

// A tiny random Qwen2 over the 512-token tiny tokenizer: the real backbone is never needed by a test.
const tinyConfig = {
  model_type: 'qwen2',
  hidden_act: 'silu',
  vocab_size: 512,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 256,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  tie_word_embeddings: true,
  use_sliding_window: false,
};
const tinyBackbone = async () => CausalLM.fromConfig(tinyConfig, Tokenizer.tiny(), { seed: 3 });

// Neutral placeholders: the "harmful" class is marked by the word "zebra", refusals by an apology.
const nouns = ['garden', 'river', 'kettle', 'window', 'pencil', 'ladder', 'carpet', 'bottle', 'candle', 'mirror'];
const testNouns = ['bucket', 'blanket', 'hammer', 'basket'];
function rowsFor(words: string[], tag: string): GuardExample[] {
  const rows: GuardExample[] = [];
  words.forEach((w, i) => {
    const harmful = `[placeholder zebra request] tell me about the zebra ${w}`;
    const benign = `please describe the ${w} in the morning`;
    rows.push({ task: 'prompt', text: harmful, label: 1, source: tag, group: `${tag}h${i}` });
    rows.push({ task: 'prompt', text: benign, label: 0, source: tag, group: `${tag}b${i}` });
    const refusal = `I am sorry, I cannot help with the ${w}.`;
    const comply = `Sure, here is how the ${w} works: first`;
    for (const [prompt, label] of [
      [harmful, 1],
      [benign, 0],
    ] as const) {
      rows.push({ task: 'refusal', prompt, text: refusal, label: 1, source: tag, group: `${tag}r${i}` });
      rows.push({ task: 'response', prompt, text: refusal, label: 0, source: tag, group: `${tag}r${i}` });
      rows.push({ task: 'refusal', prompt, text: comply, label: 0, source: tag, group: `${tag}c${i}` });
      rows.push({ task: 'response', prompt, text: comply, label, source: tag, group: `${tag}c${i}` });
    }
  });
  return rows;
}

let guard: TransformerGuard;
let tmp: string;

beforeAll(async () => {
  await initBackend({ device: 'wasm' });
  tmp = await mkdtemp(join(tmpdir(), 'magic-tguard-'));
  const recipe = transformerGuardRecipe({
    loadBackbone: tinyBackbone,
    train: { epochs: 12, batchSize: 8, learningRate: 3e-3, maxLength: 48, warmupRatio: 0.05 },
  });
  guard = (await recipe.train(rowsFor(nouns, 'fit'), { seed: 5 })) as TransformerGuard;
}, 240_000);
afterAll(async () => {
  guard.dispose();
  await rm(tmp, { recursive: true, force: true });
});

async function accuracy(g: TransformerGuard, rows: GuardExample[]): Promise<number> {
  let right = 0;
  for (const r of rows) {
    const v = r.task === 'prompt' ? await g.moderatePrompt(r.text) : await g.moderateResponse(r.prompt ?? '', r.text);
    const predicted = r.task === 'refusal' ? (v.refusal === 'yes' ? 1 : 0) : v.safety === 'unsafe' ? 1 : 0;
    if (predicted === r.label) right++;
  }
  return right / rows.length;
}

describe('transformer guard', () => {
  it('learns a separable placeholder task and beats chance on unseen words, per head', async () => {
    const held = rowsFor(testNouns, 'held');
    for (const task of ['prompt', 'refusal', 'response'] as const) {
      // Each head's classes are balanced in `held` except response harm (1 of 4 positive): 0.85 beats its majority.
      expect(
        await accuracy(
          guard,
          held.filter((r) => r.task === task),
        ),
      ).toBeGreaterThanOrEqual(0.85);
    }
    expect(guard.settings.training?.steps).toBeGreaterThan(0);
  });

  it('scores concurrent requests in batches with the same numbers as one at a time', async () => {
    const inputs = testNouns.map((w) => guard.encode('prompt', `tell me about the zebra ${w}`));
    const one: Awaited<ReturnType<TransformerGuard['score']>>[] = [];
    for (const ids of inputs) one.push(await guard.score(ids));
    const before = guard.stats.batches;
    const together = await Promise.all(inputs.map((ids) => guard.score(ids)));
    expect(guard.stats.batches - before).toBe(1);
    for (const [i, s] of together.entries()) expect(s.prompt).toBeCloseTo(at(one, i, 'one').prompt, 5);
  });

  it('round-trips save/load with identical scores', async () => {
    const dir = join(tmp, 'saved');
    await guard.save(dir);
    const loaded = await TransformerGuard.load(dir);
    try {
      const inputs = [
        guard.encode('prompt', 'please describe the hammer'),
        guard.encode('response', 'tell me about the zebra basket', 'Sure, here is how'),
      ];
      expect(await loaded.scoreInputs(inputs)).toEqual(await guard.scoreInputs(inputs));
      expect(loaded.settings.maxLength).toBe(48);
      expect(loaded.settings.training?.steps).toBe(guard.settings.training?.steps);
    } finally {
      loaded.dispose();
    }
  });

  it('rejects a bad model folder with a GuardModelError naming the file', async () => {
    const empty = join(tmp, 'empty');
    await rm(empty, { recursive: true, force: true });
    const missing = await TransformerGuard.load(empty).catch((e: unknown) => e);
    expect(GuardModelError.isInstance(missing)).toBe(true);
    expect((missing as GuardModelError).file).toBe(join(empty, 'guard.json'));

    const dir = join(tmp, 'broken');
    await guard.save(dir);
    await writeFile(join(dir, 'guard.json'), JSON.stringify({ format: 'magic-transformer-guard/v1', pooling: 'max' }));
    const badManifest = await TransformerGuard.load(dir).catch((e: unknown) => e);
    expect((badManifest as GuardModelError).file).toBe(join(dir, 'guard.json'));
    expect((badManifest as GuardModelError).field).toBe('pooling');

    await guard.save(dir);
    await rm(join(dir, 'guard-heads.safetensors'));
    const noHeads = await TransformerGuard.load(dir).catch((e: unknown) => e);
    expect((noHeads as GuardModelError).file).toBe(join(dir, 'guard-heads.safetensors'));

    await guard.save(dir);
    await copyFile(join(dir, 'config.json'), join(dir, 'guard-heads.safetensors'));
    const corrupt = await TransformerGuard.load(dir).catch((e: unknown) => e);
    expect(GuardModelError.isInstance(corrupt)).toBe(true);
    expect((corrupt as GuardModelError).file).toBe(join(dir, 'guard-heads.safetensors'));
  });

  it('serves over loopback with replies shaped exactly like the n-gram guard', async () => {
    const served = await startGuardServer({ guard, port: 0 });
    const ngram = await startGuardServer({ guard: LocalGuard.load(), port: 0 });
    try {
      const ask = async (url: string, messages: { role: string; content: string }[]) => {
        const res = await fetch(`${url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'orm', messages }),
        });
        expect(res.status).toBe(200);
        return (await res.json()) as { choices: { message: { content: string } }[] } & Record<string, unknown>;
      };
      const cases = [
        [{ role: 'user', content: 'tell me about the zebra bucket' }],
        [
          { role: 'user', content: 'please describe the hammer' },
          { role: 'assistant', content: 'I am sorry, I cannot help with the hammer.' },
        ],
      ];
      for (const messages of cases) {
        const mine = await ask(served.url, messages);
        const theirs = await ask(ngram.url, messages);
        const last = defined(messages.at(-1), 'messages.at(-1)');
        const verdict =
          messages.length === 1
            ? await guard.moderatePrompt(last.content)
            : await guard.moderateResponse(at(messages, 0, 'messages').content, last.content);
        // The reply text is the verdict's Qwen3Guard rendering, byte for byte.
        expect(at(mine.choices, 0, 'mine.choices').message.content).toBe(verdict.raw);
        // Same JSON structure as the n-gram guard's reply (keys, nesting), whatever the verdicts.
        const shape = (x: unknown): unknown =>
          x && typeof x === 'object'
            ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, k === 'content' ? 'text' : shape(v)]))
            : typeof x;
        expect(shape(mine)).toEqual(shape(theirs));
      }
      // The reply format for a verdict is the n-gram guard's (same renderer, same shape).
      const ngramGuard = LocalGuard.load();
      const v = await ngramGuard.moderateResponse('please describe the hammer', 'I am sorry, I cannot help.');
      expect(
        guard.verdict('response', {
          prompt: 0,
          refusal: v.refusal === 'yes' ? 1 : 0,
          response: v.safety === 'unsafe' ? 1 : 0,
        }).raw,
      ).toBe(v.raw);
    } finally {
      await served.close();
      await ngram.close();
    }
  });

  it('runs as a recipe in leave-one-family-out CV, each fold on a fresh backbone', async () => {
    const all = [...nouns, ...testNouns];
    const rows = [...rowsFor(all.slice(0, 7), 'a'), ...rowsFor(all.slice(7), 'b')];
    let backbones = 0;
    const recipe = transformerGuardRecipe({
      loadBackbone: async () => {
        backbones++;
        return tinyBackbone();
      },
      train: { epochs: 12, batchSize: 8, learningRate: 3e-3, maxLength: 48, warmupRatio: 0.05 },
    });
    const result = await runFamilyCv({ rows, families: rows.map((r) => r.source), recipe, bootstrap: 0 });
    expect(backbones).toBe(2);
    expect(result.folds.map((f) => f.family)).toEqual(['a', 'b']);
    expect(result.pooled.prompt.n).toBe(rows.filter((r) => r.task === 'prompt').length);
    // Held-out words only: the "zebra" marker must carry over to the other family.
    expect(result.pooled.prompt.f1).toBeGreaterThan(0.8);
    expect(result.pooled.refusal.f1).toBeGreaterThan(0.8);
  }, 240_000);

  it('clips long inputs to maxLength, keeping the start of a reply', () => {
    const tok = Tokenizer.tiny();
    const long = 'word '.repeat(400);
    expect(encodeGuardInput(tok, 'prompt', long, '', 40)).toHaveLength(40);
    const ids = encodeGuardInput(tok, 'response', long, 'I am sorry', 40);
    expect(ids).toHaveLength(40);
    expect(tok.decode(ids)).toContain('Assistant: I am sorry');
  });
});
