import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { initBackend } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';
import { LmCheckpointError, LmConfigError, LmInputError } from './errors.js';

const fixtureDir = join(import.meta.dirname, '..', 'fixtures', 'reference', 'tiny-untied');
let lm: CausalLM;
let tmp: string;

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
  lm = await CausalLM.fromPretrained(fixtureDir);
  tmp = await mkdtemp(join(tmpdir(), 'magic-lm-'));
});
afterAll(async () => {
  lm.dispose();
  await rm(tmp, { recursive: true, force: true });
});

async function logitsOf(model: CausalLM, ids: number[][]): Promise<number[][][]> {
  const i = tf.tensor2d(ids, undefined, 'int32');
  const m = tf.onesLike(i);
  const l = model.logits(i, m);
  const out = (await l.array()) as number[][][];
  tf.dispose([i, m, l]);
  return out;
}

function maxDiff(a: number[][][], b: number[][][]): number {
  return Math.max(...a.flat(2).map((v, i) => Math.abs(v - at(b.flat(2), i, 'b.flat(2)'))));
}

describe('random init', () => {
  it('is deterministic in the seed, seed 0 included (tfjs reads seed 0 as none)', async () => {
    const weights = async (seed: number) => {
      const m = await CausalLM.fromPreset('tiny', { seed });
      const out = await Promise.all(m.trainableVariables.map(async (v) => Array.from(await v.data())));
      m.dispose();
      return out;
    };
    expect(await weights(0)).toEqual(await weights(0));
    expect(await weights(3)).toEqual(await weights(3));
    expect((await weights(0))[0]).not.toEqual((await weights(1))[0]);
  });
});

describe('save / load', () => {
  it('round-trips F32 exactly and BF16 approximately, single file and sharded', async () => {
    const ids = [[510, 20, 300, 42, 7]];
    const want = await logitsOf(lm, ids);
    for (const [name, opts, tol] of [
      ['f32', {}, 0],
      ['bf16', { dtype: 'BF16' as const }, 0.5],
      ['sharded', { maxShardBytes: 100_000 }, 0],
    ] as const) {
      const dir = join(tmp, name);
      await lm.save(dir, opts);
      const back = await CausalLM.fromPretrained(dir);
      try {
        expect(maxDiff(await logitsOf(back, ids), want)).toBeLessThanOrEqual(tol);
        expect(back.tokenizer.applyChatTemplate([{ role: 'user', content: 'Hi' }])).toBe(
          lm.tokenizer.applyChatTemplate([{ role: 'user', content: 'Hi' }]),
        );
      } finally {
        back.dispose();
      }
    }
    const index = JSON.parse(await readFile(join(tmp, 'sharded', 'model.safetensors.index.json'), 'utf8'));
    expect(new Set(Object.values(index.weight_map)).size).toBeGreaterThan(1);
    const config = JSON.parse(await readFile(join(tmp, 'f32', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'qwen2', rope_theta: 1000000, tie_word_embeddings: false });
  });
});

describe('generation', () => {
  it('KV-cache sampling equals no-cache recompute, and re-scoring reproduces the sampling log-probs', async () => {
    const prompts = [
      [510, 20, 300, 42],
      [7, 8],
    ];
    const outs = await expectNoLeaks(() =>
      lm.generate(prompts, { maxNewTokens: 6, temperature: 1, topP: 0.95, seed: 3 }),
    );
    for (const [i, o] of outs.entries()) {
      const seq = [...at(prompts, i, 'prompts'), ...o.tokenIds];
      const ids = tf.tensor2d([seq], undefined, 'int32');
      const mask = tf.onesLike(ids);
      const logits = lm.logits(ids, mask);
      const full = (await logits.array()) as number[][][];
      const { logProbs } = lm.tokenLogProbs(ids, mask);
      const scored = (await logProbs.array()) as number[][];
      tf.dispose([ids, mask, logits, logProbs]);
      for (const [k, tok] of o.tokenIds.entries()) {
        const pos = at(prompts, i, 'prompts').length + k;
        const row = at(at(full, 0, 'full'), pos - 1, 'full[0]');
        const lse = Math.log(row.reduce((a, v) => a + Math.exp(v - Math.max(...row)), 0)) + Math.max(...row);
        expect(Math.abs(at(row, tok, 'row') - lse - at(o.logprobs, k, 'o.logprobs'))).toBeLessThan(1e-4);
        expect(Math.abs(at(at(scored, 0, 'scored'), pos, 'scored[0]') - at(o.logprobs, k, 'o.logprobs'))).toBeLessThan(
          1e-4,
        );
      }
    }
  });

  it('is deterministic in the seed, honours stop ids, stop strings and maxNewTokens', async () => {
    const p = [[510, 20, 300, 42]];
    const a = await lm.generate(p, { maxNewTokens: 8, temperature: 1, seed: 11 });
    const b = await lm.generate(p, { maxNewTokens: 8, temperature: 1, seed: 11 });
    expect(a).toEqual(b);
    expect(at(a, 0, 'a').finishReason).toBe(at(a, 0, 'a').tokenIds.length === 8 ? 'length' : 'stop');
    const first = at(at(a, 0, 'a').tokenIds, 0, 'a[0].tokenIds');
    const stopped = await lm.generate(p, { maxNewTokens: 8, temperature: 1, seed: 11, stopTokenIds: [first] });
    expect(stopped[0]).toMatchObject({ tokenIds: [first], finishReason: 'stop' });
    const text = lm.tokenizer.decode(at(a, 0, 'a').tokenIds.slice(0, 2));
    const bySting = await lm.generate(p, { maxNewTokens: 8, temperature: 1, seed: 11, stopStrings: [text] });
    expect(at(bySting, 0, 'bySting').finishReason).toBe('stop');
    expect(at(bySting, 0, 'bySting').tokenIds.length).toBeLessThanOrEqual(2);
    const topK1 = await lm.generate(p, { maxNewTokens: 4, temperature: 0.7, topK: 1, seed: 5 });
    const greedy = await lm.generate(p, { maxNewTokens: 4, temperature: 0 });
    expect(at(topK1, 0, 'topK1').tokenIds).toEqual(at(greedy, 0, 'greedy').tokenIds);
  });

  it('returns entropy and differentiable log-probs without leaking', async () => {
    await expectNoLeaks(async () => {
      const ids = tf.tensor2d(
        [
          [509, 510, 20, 300],
          [7, 8, 9, 10],
        ],
        undefined,
        'int32',
      );
      const mask = tf.tensor2d(
        [
          [0, 1, 1, 1],
          [1, 1, 1, 1],
        ],
        undefined,
        'int32',
      );
      const { value, grads } = tf.variableGrads(() => {
        const { logProbs, entropy } = lm.tokenLogProbs(ids, mask, { withEntropy: true });
        return tf.add(tf.sum(logProbs), tf.mul(0.01, tf.sum(defined(entropy, 'entropy')))) as tf.Scalar;
      }, lm.trainableVariables);
      expect(Number.isFinite(at(await value.data(), 0, 'value'))).toBe(true);
      expect(Object.keys(grads).length).toBe(lm.trainableVariables.length);
      const kBias = at(lm.weights.layers, 0, 'lm.weights.layers').kBias;
      const gNorm = tf.norm(defined(grads[kBias.name], 'grads'));
      expect(at(await gNorm.data(), 0, 'value')).toBeGreaterThan(0);
      gNorm.dispose();
      tf.dispose([ids, mask, value, ...Object.values(grads)]);
    });
  });
});

describe('bad input', () => {
  it('rejects empty batches, overlong prompts, bad ids and bad options', async () => {
    await expect(lm.generate([], { maxNewTokens: 2 })).rejects.toThrow(LmInputError);
    await expect(lm.generate([[]], { maxNewTokens: 2 })).rejects.toThrow(/prompts\[0\]/);
    const long = Array.from({ length: 200 }, () => 5);
    await expect(lm.generate([long], { maxNewTokens: 2 })).rejects.toThrow(/max_position_embeddings/);
    await expect(lm.generate([[9999]], { maxNewTokens: 2 })).rejects.toThrow(/token id 9999/);
    await expect(lm.generate([[5]], { maxNewTokens: 0 })).rejects.toThrow(/generate.maxNewTokens/);
    const ids = tf.tensor2d([[1, 2, 3]], undefined, 'int32');
    const mask = tf.tensor2d([[1, 1]], undefined, 'int32');
    expect(() => lm.tokenLogProbs(ids, mask)).toThrow(/attentionMask/);
    tf.dispose([ids, mask]);
  });

  it('names the file and field for missing files, wrong names/shapes, unsupported config and dtypes', async () => {
    await expect(CausalLM.fromPretrained(join(tmp, 'nope'))).rejects.toThrow(LmCheckpointError);
    const dir = join(tmp, 'bad');
    await lm.save(dir);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    const writeConfig = (c: unknown) => writeFile(join(dir, 'config.json'), JSON.stringify(c));
    for (const [patch, field] of [
      [{ rope_scaling: { type: 'yarn', factor: 4 } }, 'rope_scaling'],
      [{ hidden_act: 'gelu' }, 'hidden_act'],
      [{ use_sliding_window: true }, 'use_sliding_window'],
      [{ attention_bias: false }, 'attention_bias'],
      [{ num_key_value_heads: 3 }, 'num_key_value_heads'],
      [{ hidden_size: 'big' }, 'hidden_size'],
    ] as const) {
      await writeConfig({ ...config, ...patch });
      const err = await CausalLM.fromPretrained(dir).catch((e: unknown) => e);
      expect(LmConfigError.isInstance(err)).toBe(true);
      expect((err as LmConfigError).field).toBe(field);
      expect((err as LmConfigError).file).toBe(join(dir, 'config.json'));
    }
    await writeConfig({ ...config, intermediate_size: 90 });
    await expect(CausalLM.fromPretrained(dir)).rejects.toThrow(/mlp.gate_proj.weight: shape/);
    await writeConfig({ ...config, num_hidden_layers: 4 });
    await expect(CausalLM.fromPretrained(dir)).rejects.toThrow(/model.layers.3.input_layernorm.weight: missing/);
    await writeConfig({ ...config, num_hidden_layers: 2 });
    await expect(CausalLM.fromPretrained(dir)).rejects.toThrow(/model.layers.2.*unexpected tensor name/);
    await writeConfig(config);
    const st = await readFile(join(dir, 'model.safetensors'));
    const n = Number(st.readBigUInt64LE(0));
    const header = st
      .subarray(8, 8 + n)
      .toString('utf8')
      .replace('"F32"', '"I64"');
    const rebuilt = Buffer.concat([st.subarray(0, 8), Buffer.from(header, 'utf8'), st.subarray(8 + n)]);
    await writeFile(join(dir, 'model.safetensors'), rebuilt);
    const err = await CausalLM.fromPretrained(dir).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/model.safetensors/);
    expect((err as { code?: string }).code).toBe('SAFETENSORS');
  });
});
