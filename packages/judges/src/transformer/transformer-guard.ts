import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { at, hasMagicErrorCode } from '@magic/core';
import { CausalLM } from '@magic/lm';
import { loadSafetensorsFile, saveSafetensorsFile } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { GuardModelError } from '../errors.js';
import { renderQwen3GuardReply } from '../protocols/qwen3guard.js';
import type { Guard, GuardCallOptions, GuardVerdict, ModerationMode } from '../types.js';
import { encodeGuardInput, type GuardHead, guardHeads } from './encode.js';

export const TRANSFORMER_GUARD_FORMAT = 'magic-transformer-guard/v1';
export const transformerGuardManifestFile = 'guard.json';
export const transformerGuardHeadsFile = 'guard-heads.safetensors';

const probability = z.number().min(0).max(1);

/** `guard.json`: how to read the backbone's hidden states and the heads next to it. */
export const transformerGuardManifestSchema = z.object({
  format: z.literal(TRANSFORMER_GUARD_FORMAT),
  /** Masked mean of the backbone's final-normed hidden states. */
  pooling: z.literal('mean'),
  maxLength: z.number().int().positive(),
  heads: z.object({
    file: z.string().min(1),
    order: z.tuple([z.literal('prompt'), z.literal('refusal'), z.literal('response')]),
  }),
  thresholds: z.object({ prompt: probability, refusal: probability, response: probability }),
  /** Free-form record of how the guard was trained (data counts, settings, seconds). */
  training: z.record(z.string(), z.unknown()).optional(),
});
export type TransformerGuardManifest = z.output<typeof transformerGuardManifestSchema>;

/** Three binary logistic heads on the pooled hidden state: weight [3,H], bias [3] (order of `guardHeads`). */
export interface GuardHeadWeights {
  weight: tf.Variable;
  bias: tf.Variable;
}

export interface TransformerGuardSettings {
  maxLength: number;
  thresholds: Record<GuardHead, number>;
  /** Requests scored in one forward pass (32). */
  maxBatchSize?: number;
  training?: Record<string, unknown>;
}

export type GuardScores = Record<GuardHead, number>;

interface Pending {
  ids: number[];
  resolve: (scores: GuardScores) => void;
  reject: (error: unknown) => void;
}

/** Random heads (std 0.02), deterministic in `seed`. */
export function initGuardHeads(hiddenSize: number, seed: number): GuardHeadWeights {
  const w = tf.randomNormal([guardHeads.length, hiddenSize], 0, 0.02, 'float32', seed === 0 ? 7919 : seed);
  const b = tf.zeros([guardHeads.length]);
  const heads = { weight: tf.variable(w, true), bias: tf.variable(b, true) };
  tf.dispose([w, b]);
  return heads;
}

/** Right-padded ids and mask of a batch of token lists. */
export function padRight(rows: readonly number[][], padId: number): { ids: number[][]; mask: number[][] } {
  const t = Math.max(...rows.map((r) => r.length));
  return {
    ids: rows.map((r) => [...r, ...new Array<number>(t - r.length).fill(padId)]),
    mask: rows.map((r) => [...new Array<number>(r.length).fill(1), ...new Array<number>(t - r.length).fill(0)]),
  };
}

/**
 * A guard made of a small Qwen2 backbone (`@magic/lm`) and three logistic heads (prompt harm, refusal, response
 * harm) on the masked mean of its last hidden states. Answers in Qwen3Guard's verdict shape, like the n-gram
 * guard (no categories). Concurrent calls are scored together: requests that arrive while a batch runs form the
 * next batch (up to `maxBatchSize`).
 */
export class TransformerGuard implements Guard {
  readonly name = 'transformer-guard';
  readonly lm: CausalLM;
  readonly heads: GuardHeadWeights;
  readonly settings: Required<Omit<TransformerGuardSettings, 'training'>> & { training?: Record<string, unknown> };
  /** Forward passes and requests scored through the queue (`score`, `moderate*`). */
  readonly stats = { batches: 0, requests: 0 };
  readonly #queue: Pending[] = [];
  #running = false;
  #disposed = false;

  constructor(lm: CausalLM, heads: GuardHeadWeights, settings: TransformerGuardSettings) {
    this.lm = lm;
    this.heads = heads;
    this.settings = { maxBatchSize: 32, ...settings };
  }

  /** Head logits [B,3] of a padded batch (differentiable in the backbone and heads). */
  logits(ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const hidden = this.lm.hiddenStates(ids, mask);
      // Masked mean as a batched matmul of per-row weights (mask / length) with the hidden states.
      const m = tf.cast(mask, 'float32') as tf.Tensor2D;
      const weights = tf.div(m, tf.maximum(tf.sum(m, 1, true), 1));
      const pooled = tf.reshape(tf.matMul(tf.expandDims(weights, 1), hidden), [ids.shape[0], -1]) as tf.Tensor2D;
      return tf.add(tf.matMul(pooled, this.heads.weight as tf.Tensor2D, false, true), this.heads.bias) as tf.Tensor2D;
    });
  }

  /** The backbone's input for one request (see `encodeGuardInput`). */
  encode(mode: ModerationMode, prompt: string, response = ''): number[] {
    return encodeGuardInput(this.lm.tokenizer, mode, prompt, response, this.settings.maxLength);
  }

  /**
   * Head probabilities of each input. Inputs are sorted by length and cut into batches of at most `maxBatchSize`
   * whose longest input is at most 1.3x + 8 tokens of its shortest: on a CPU backend padding is paid in full (a
   * mixed batch of short prompts and long replies cost 1.75x the CPU time of scoring them one by one).
   */
  async scoreInputs(inputs: readonly number[][]): Promise<GuardScores[]> {
    if (this.#disposed) throw new GuardModelError('(memory)', 'the transformer guard was disposed');
    type Input = { ids: number[]; index: number };
    const order = inputs.map((ids, index): Input => ({ ids, index })).sort((a, b) => a.ids.length - b.ids.length);
    // every batch starts with its shortest input
    const batches: [Input, ...Input[]][] = [];
    for (const input of order) {
      const last = batches.at(-1);
      const fits =
        last !== undefined &&
        last.length < this.settings.maxBatchSize &&
        input.ids.length <= Math.ceil(last[0].ids.length * 1.3) + 8;
      if (fits) last.push(input);
      else batches.push([input]);
    }
    const out = new Array<GuardScores>(inputs.length);
    for (const group of batches) {
      const batch = padRight(
        group.map(({ ids }) => ids),
        this.lm.tokenizer.padTokenId,
      );
      const probs = tf.tidy(() =>
        tf.sigmoid(
          this.logits(tf.tensor2d(batch.ids, undefined, 'int32'), tf.tensor2d(batch.mask, undefined, 'int32')),
        ),
      );
      const data = await probs.data();
      probs.dispose();
      for (const [k, { index }] of group.entries()) {
        const cell = (head: number) => at(data, k * 3 + head, 'head probabilities');
        out[index] = { prompt: cell(0), refusal: cell(1), response: cell(2) };
      }
    }
    return out;
  }

  /** Scores one input through the request queue (batched with whatever else is waiting). */
  score(ids: number[]): Promise<GuardScores> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ids, resolve, reject });
      if (!this.#running) setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.settings.maxBatchSize);
        this.stats.batches += 1;
        this.stats.requests += batch.length;
        try {
          const scores = await this.scoreInputs(batch.map((p) => p.ids));
          for (const [i, p] of batch.entries()) p.resolve(at(scores, i, 'batch scores'));
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async moderatePrompt(prompt: string, options: GuardCallOptions = {}): Promise<GuardVerdict> {
    options.signal?.throwIfAborted();
    return this.verdict('prompt', await this.score(this.encode('prompt', prompt)));
  }

  async moderateResponse(prompt: string, response: string, options: GuardCallOptions = {}): Promise<GuardVerdict> {
    options.signal?.throwIfAborted();
    return this.verdict('response', await this.score(this.encode('response', prompt, response)));
  }

  /** The verdict for head probabilities, rendered exactly like the n-gram guard's. */
  verdict(mode: ModerationMode, scores: GuardScores): GuardVerdict {
    const t = this.settings.thresholds;
    const harmful = mode === 'prompt' ? scores.prompt >= t.prompt : scores.response >= t.response;
    const base = { safety: harmful ? ('unsafe' as const) : ('safe' as const), categories: [] as string[] };
    const verdict =
      mode === 'response'
        ? { ...base, refusal: scores.refusal >= t.refusal ? ('yes' as const) : ('no' as const) }
        : base;
    return { ...verdict, raw: renderQwen3GuardReply(verdict, mode) };
  }

  /** Writes the backbone (HF layout), `guard-heads.safetensors` and `guard.json` into `dir`. */
  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await this.lm.save(dir);
    await saveSafetensorsFile(
      join(dir, transformerGuardHeadsFile),
      {
        'heads.weight': { shape: this.heads.weight.shape, data: (await this.heads.weight.data()) as Float32Array },
        'heads.bias': { shape: this.heads.bias.shape, data: (await this.heads.bias.data()) as Float32Array },
      },
      { metadata: { format: TRANSFORMER_GUARD_FORMAT } },
    );
    const manifest: TransformerGuardManifest = {
      format: TRANSFORMER_GUARD_FORMAT,
      pooling: 'mean',
      maxLength: this.settings.maxLength,
      heads: { file: transformerGuardHeadsFile, order: [...guardHeads] },
      thresholds: { ...this.settings.thresholds },
      ...(this.settings.training ? { training: this.settings.training } : {}),
    };
    await writeFile(join(dir, transformerGuardManifestFile), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /** Loads `save`'s folder; any missing or malformed file is a GuardModelError naming that file. */
  static async load(dir: string, options: { maxBatchSize?: number } = {}): Promise<TransformerGuard> {
    const manifestPath = join(dir, transformerGuardManifestFile);
    const manifest = await readManifest(manifestPath);
    const headsPath = join(dir, manifest.heads.file);
    for (const file of [
      'config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
      manifest.heads.file,
    ]) {
      if (!existsSync(join(dir, file)))
        throw new GuardModelError(join(dir, file), 'missing (not a transformer guard folder)');
    }
    let lm: CausalLM;
    try {
      lm = await CausalLM.fromPretrained(dir);
    } catch (error) {
      if (hasMagicErrorCode(error, 'LM_CONFIG') || hasMagicErrorCode(error, 'LM_CHECKPOINT')) {
        const e = error as Error & { file?: string; field?: string };
        throw new GuardModelError(e.file ?? dir, e.message, e.field);
      }
      throw error;
    }
    try {
      const heads = await readHeads(headsPath, lm.config.hiddenSize);
      return new TransformerGuard(lm, heads, {
        maxLength: manifest.maxLength,
        thresholds: manifest.thresholds,
        ...(options.maxBatchSize ? { maxBatchSize: options.maxBatchSize } : {}),
        ...(manifest.training ? { training: manifest.training } : {}),
      });
    } catch (error) {
      lm.dispose();
      throw error;
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.lm.dispose();
    this.heads.weight.dispose();
    this.heads.bias.dispose();
  }
}

async function readManifest(path: string): Promise<TransformerGuardManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new GuardModelError(path, 'missing or unreadable (not a transformer guard folder)');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GuardModelError(path, 'not valid JSON');
  }
  const parsed = transformerGuardManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GuardModelError(path, issue?.message ?? 'invalid manifest', issue?.path.join('.') || undefined);
  }
  return parsed.data;
}

async function readHeads(path: string, hiddenSize: number): Promise<GuardHeadWeights> {
  let file: Awaited<ReturnType<typeof loadSafetensorsFile>>;
  try {
    file = await loadSafetensorsFile(path);
  } catch (error) {
    throw new GuardModelError(path, error instanceof Error ? error.message : 'unreadable safetensors');
  }
  const load = (name: string, shape: number[]): tf.Variable => {
    const t = file.tensors.get(name);
    if (!t) throw new GuardModelError(path, 'missing tensor', name);
    if (t.shape.join(',') !== shape.join(','))
      throw new GuardModelError(path, `shape [${t.shape}] does not match [${shape}]`, name);
    const init = tf.tensor(t.data as Float32Array, t.shape, 'float32');
    const variable = tf.variable(init, true);
    init.dispose();
    return variable;
  };
  const weight = load('heads.weight', [guardHeads.length, hiddenSize]);
  return { weight, bias: load('heads.bias', [guardHeads.length]) };
}
