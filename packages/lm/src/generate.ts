import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Qwen2Config } from './config.js';
import { createDecoder, decodeStrategy } from './decode/choose-decoder.js';
import type { DecodeContext, Sampled, SeqState } from './decode/decoder.js';
import { LmInputError } from './errors.js';
import { Rng } from './rng.js';
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
  /**
   * WebGPU with device sampling: decode steps after the prefill run on a preallocated in-place KV cache
   * (false: the concat cache, for benchmark comparisons). Default true.
   */
  packedDecode: z.boolean().default(true),
  /** With `packedDecode`: decode steps after the first are replayed from a captured dispatch graph (false: every step through tfjs). Default true. */
  decodeGraph: z.boolean().default(true),
  /** The prefill's MLP as one gate+up matmul on WebGPU (ForwardOptions.packedMlp). Default true. */
  packedMlp: z.boolean().default(true),
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
    const issue = defined(r.error.issues[0], 'zod issue');
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

type Options = z.output<typeof generateOptionsSchema>;

/**
 * Batched generation over left-padded prompts with a KV cache, through the decode strategy the options and the
 * backend select (decodeStrategy: host sampling, device sampling on the concat or the in-place cache, or replayed
 * from a dispatch graph).
 *
 * Device sampling (the default path) never waits for the GPU inside the loop: step s+1 is enqueued
 * with step s's sampled ids (still on the device) before step s's ids are read back for the stop
 * checks, so one step may run past the point where every sequence has stopped (its tokens are dropped); replayed
 * from a dispatch graph, two steps.
 */
export async function generate(
  w: ModelWeights,
  cfg: Qwen2Config,
  tokenizer: Tokenizer,
  prompts: number[][],
  options: GenerateOptions,
): Promise<GenerationOutput[]> {
  validatePrompts(prompts, cfg);
  const o: Options = parseOptions(options);
  const rng = options.rng ?? new Rng(o.seed);
  const stopIds = new Set(o.stopTokenIds ?? tokenizer.eosTokenIds);
  const width = Math.max(...prompts.map((p) => p.length));
  const seqs: SeqState[] = prompts.map(() => ({ tokenIds: [], logprobs: [], done: false, finishReason: 'length' }));
  const ctx: DecodeContext = {
    w,
    cfg,
    options: o,
    rng,
    prompts,
    width,
    maxNew: Math.min(o.maxNewTokens, cfg.maxPositionEmbeddings - width),
    padTokenId: tokenizer.padTokenId,
    keyMask: prompts.map((p) => [...Array(width - p.length).fill(0), ...Array(p.length).fill(1)]),
    seqs,
  };
  const accept = (r: Sampled): void => {
    seqs.forEach((q, i) => {
      if (q.done) return;
      const id = at(r.ids, i, 'sampled ids');
      q.tokenIds.push(id);
      q.logprobs.push(at(r.logprobs, i, 'sampled log-probs'));
      if (stopIds.has(id) || hitsStopString(tokenizer, q.tokenIds, o.stopStrings)) {
        q.done = true;
        q.finishReason = 'stop';
      }
    });
  };
  const decoder = createDecoder(decodeStrategy(o, tf.getBackend()), ctx);
  // read-backs in flight, oldest first: the loop waits for one only when more than `decoder.readAhead` are out
  const inFlight: Promise<Sampled>[] = [];
  try {
    for (let s = 0; s < ctx.maxNew && seqs.some((q) => !q.done); s++) {
      inFlight.push(decoder.step(s));
      while (inFlight.length > decoder.readAhead) accept(await defined(inFlight.shift(), 'in-flight read-back'));
    }
    while (inFlight.length > 0) accept(await defined(inFlight.shift(), 'in-flight read-back'));
  } finally {
    decoder.dispose();
    await Promise.all(inFlight.map((p) => p.catch(() => undefined)));
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
