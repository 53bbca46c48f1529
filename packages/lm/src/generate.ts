import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Qwen2Config } from './config.js';
import { LmInputError } from './errors.js';
import { attentionBias, forwardHidden, type KvCache, logitsOf } from './model.js';
import { Rng } from './rng.js';
import { sampleFromLogProbs } from './sampling.js';
import { positionsFromMask } from './scoring.js';
import type { Tokenizer } from './tokenizer.js';
import type { ModelWeights } from './weights.js';

export const generateOptionsSchema = z.object({
  maxNewTokens: z.number().int().positive(),
  /** 0 = greedy. */
  temperature: z.number().min(0).default(1),
  topP: z.number().gt(0).max(1).default(1),
  /** 0 or less = no top-k. */
  topK: z.number().int().default(0),
  /** Default: the tokenizer's eos ids. The stop token is kept in tokenIds. */
  stopTokenIds: z.array(z.number().int()).optional(),
  /** Generation stops once the decoded text contains one (tokens are kept as sampled). */
  stopStrings: z.array(z.string().min(1)).default([]),
  seed: z.number().int().default(0),
});
export type GenerateOptions = z.input<typeof generateOptionsSchema> & { rng?: Rng };

export interface GenerationOutput {
  tokenIds: number[];
  /** log p(token) under the model at temperature 1 (what tokenLogProbs re-computes). */
  logprobs: number[];
  /** Decoded tokenIds, special tokens skipped. */
  text: string;
  finishReason: 'stop' | 'length';
}

function parseOptions(opts: GenerateOptions): z.output<typeof generateOptionsSchema> {
  const r = generateOptionsSchema.safeParse(opts);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new LmInputError(`generate.${issue.path.join('.')}`, issue.message);
  }
  return r.data;
}

function validatePrompts(prompts: number[][], cfg: Qwen2Config): void {
  if (prompts.length === 0) throw new LmInputError('prompts', 'empty batch');
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new LmInputError(`prompts[${i}]`, 'empty prompt');
    if (p.length >= cfg.maxPositionEmbeddings) {
      throw new LmInputError(
        `prompts[${i}]`,
        `length ${p.length} leaves no room in max_position_embeddings ${cfg.maxPositionEmbeddings}`,
      );
    }
    for (const id of p) {
      if (!Number.isInteger(id) || id < 0 || id >= cfg.vocabSize) {
        throw new LmInputError(`prompts[${i}]`, `token id ${id} outside [0, ${cfg.vocabSize})`);
      }
    }
  });
}

interface StepResult {
  /** Log-probs [B,V] at temperature 1 (only when sampling) */
  lp?: Float32Array;
  argmax?: Int32Array;
  argmaxLp?: Float32Array;
}

/** Runs one forward step over `ids` ([B,T] new tokens), returns the new cache and last-position log-probs. */
function step(
  w: ModelWeights,
  cfg: Qwen2Config,
  ids: number[][],
  keyMask: number[][],
  cache: KvCache | undefined,
  greedy: boolean,
): { cache: KvCache; out: tf.Tensor[] } {
  const kept = tf.tidy(() => {
    const b = ids.length;
    const t = ids[0]!.length;
    const allPos = positionsFromMask(keyMask);
    const positions = tf.tensor2d(
      allPos.map((r) => r.slice(r.length - t)),
      [b, t],
      'int32',
    );
    const bias = attentionBias(keyMask, t, cfg.numAttentionHeads / cfg.numKeyValueHeads);
    const res = forwardHidden(
      w,
      cfg,
      { ids: tf.tensor2d(ids, [b, t], 'int32'), positions, bias, ...(cache ? { cache } : {}) },
      true,
    );
    const last = tf.reshape(tf.slice(res.hidden, [0, t - 1, 0], [b, 1, cfg.hiddenSize]), [
      b,
      cfg.hiddenSize,
    ]) as tf.Tensor2D;
    const lp = tf.logSoftmax(logitsOf(w, last));
    const out: tf.Tensor[] = greedy ? [tf.argMax(lp, 1), tf.max(lp, 1)] : [lp];
    return [...res.cache!.k, ...res.cache!.v, ...out];
  });
  const n = cfg.numHiddenLayers;
  return {
    cache: { k: kept.slice(0, n) as tf.Tensor4D[], v: kept.slice(n, 2 * n) as tf.Tensor4D[] },
    out: kept.slice(2 * n),
  };
}

function disposeCache(c: KvCache | undefined): void {
  if (!c) return;
  for (const t of [...c.k, ...c.v]) t.dispose();
}

async function readStep(out: tf.Tensor[], greedy: boolean): Promise<StepResult> {
  try {
    if (greedy) {
      const [a, m] = await Promise.all([out[0]!.data(), out[1]!.data()]);
      return { argmax: a as Int32Array, argmaxLp: m as Float32Array };
    }
    return { lp: (await out[0]!.data()) as Float32Array };
  } finally {
    for (const t of out) t.dispose();
  }
}

interface SeqState {
  tokenIds: number[];
  logprobs: number[];
  done: boolean;
  finishReason: 'stop' | 'length';
}

/** Batched generation over left-padded prompts with a KV cache. */
export async function generate(
  w: ModelWeights,
  cfg: Qwen2Config,
  tokenizer: Tokenizer,
  prompts: number[][],
  options: GenerateOptions,
): Promise<GenerationOutput[]> {
  validatePrompts(prompts, cfg);
  const o = parseOptions(options);
  const rng = options.rng ?? new Rng(o.seed);
  const stopIds = new Set(o.stopTokenIds ?? tokenizer.eosTokenIds);
  const greedy = o.temperature === 0;
  const b = prompts.length;
  const width = Math.max(...prompts.map((p) => p.length));
  const pad = tokenizer.padTokenId;
  const keyMask = prompts.map((p) => [...Array(width - p.length).fill(0), ...Array(p.length).fill(1)]);
  const maxNew = Math.min(o.maxNewTokens, cfg.maxPositionEmbeddings - width);
  const seqs: SeqState[] = prompts.map(() => ({ tokenIds: [], logprobs: [], done: false, finishReason: 'length' }));
  let cache: KvCache | undefined;
  let next = prompts.map((p) => [...Array(width - p.length).fill(pad), ...p]);
  const vocab = cfg.vocabSize;
  try {
    for (let s = 0; s < maxNew && seqs.some((q) => !q.done); s++) {
      const r = step(w, cfg, next, keyMask, cache, greedy);
      disposeCache(cache);
      cache = r.cache;
      const res = await readStep(r.out, greedy);
      next = [];
      for (let i = 0; i < b; i++) {
        const q = seqs[i]!;
        let id = pad;
        if (!q.done) {
          if (greedy) {
            id = res.argmax![i]!;
            q.logprobs.push(res.argmaxLp![i]!);
          } else {
            const row = res.lp!.subarray(i * vocab, (i + 1) * vocab);
            id = sampleFromLogProbs(row, o, rng);
            q.logprobs.push(row[id]!);
          }
          q.tokenIds.push(id);
          if (stopIds.has(id) || hitsStopString(tokenizer, q.tokenIds, o.stopStrings)) {
            q.done = true;
            q.finishReason = 'stop';
          }
        }
        next.push([id]);
        keyMask[i]!.push(1);
      }
    }
  } finally {
    disposeCache(cache);
  }
  return seqs.map((q) => ({
    tokenIds: q.tokenIds,
    logprobs: q.logprobs,
    text: tokenizer.decode(q.tokenIds, { skipSpecialTokens: true }),
    finishReason: q.finishReason,
  }));
}

function hitsStopString(tokenizer: Tokenizer, ids: number[], stops: string[]): boolean {
  if (stops.length === 0) return false;
  const tail = tokenizer.decode(ids.slice(-32), { skipSpecialTokens: false });
  return stops.some((s) => tail.includes(s));
}
