import { type SampledTokens, sampleTokens } from '@magic/tensor/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Qwen2Config } from './config.js';
import { DecodeGraph } from './decode-graph.js';
import { LmInputError } from './errors.js';
import { attentionBias, forwardHidden, type KvCache, logitsOf, PackedDecoder } from './model.js';
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

/** Runs one forward step over `ids` ([B,T] new tokens); returns the new cache and last-position logits [B,V]. */
function step(
  w: ModelWeights,
  cfg: Qwen2Config,
  ids: tf.Tensor2D,
  keyMask: number[][],
  cache: KvCache | undefined,
  packedMlp: boolean,
): { cache: KvCache; logits: tf.Tensor2D } {
  const kept = tf.tidy(() => {
    const [b, t] = ids.shape;
    const allPos = positionsFromMask(keyMask);
    const positions = tf.tensor2d(
      allPos.map((r) => r.slice(r.length - t)),
      [b, t],
      'int32',
    );
    const bias = attentionBias(keyMask, t);
    const input = { ids, positions, bias, ...(cache ? { cache } : {}) };
    const res = forwardHidden(w, cfg, input, { withCache: true, packedMlp });
    const last = tf.reshape(tf.slice(res.hidden, [0, t - 1, 0], [b, 1, cfg.hiddenSize]), [
      b,
      cfg.hiddenSize,
    ]) as tf.Tensor2D;
    return [...res.cache!.k, ...res.cache!.v, logitsOf(w, last)];
  });
  const n = cfg.numHiddenLayers;
  return {
    cache: { k: kept.slice(0, n) as tf.Tensor4D[], v: kept.slice(n, 2 * n) as tf.Tensor4D[] },
    logits: kept[2 * n] as tf.Tensor2D,
  };
}

function disposeCache(c: KvCache | undefined): void {
  if (!c) return;
  for (const t of [...c.k, ...c.v]) t.dispose();
}

interface SeqState {
  tokenIds: number[];
  logprobs: number[];
  done: boolean;
  finishReason: 'stop' | 'length';
}

/** One step's sampled ids and their temperature-1 log-probs, as read back to the host. */
interface Sampled {
  ids: ArrayLike<number>;
  logprobs: ArrayLike<number>;
}

type Options = z.output<typeof generateOptionsSchema>;

/**
 * Samples on the device when the whole distribution is used (temperature, no top-k/top-p): only ids and
 * their log-probs come back. Otherwise the full log-probs [B,V] are read and sampled on the host.
 */
function onDevice(o: Options): boolean {
  return o.temperature === 0 || (o.topP >= 1 && !(o.topK > 0));
}

/** Samples from logits [B,V] on the device: ids [B] int32 (kept) and log-probs [B] (kept). */
function sampleOnDevice(logits: tf.Tensor2D, o: Options, rng: Rng): SampledTokens {
  const b = logits.shape[0];
  if (o.temperature === 0) return sampleTokens(logits, { temperature: 0 });
  const u = Float32Array.from({ length: b }, () => rng.next());
  const uniforms = tf.tensor1d(u);
  try {
    return sampleTokens(logits, { temperature: o.temperature, uniforms });
  } finally {
    uniforms.dispose();
  }
}

/** Host sampling (top-k / top-p): reads log-probs [B,V]. */
async function sampleOnHost(logits: tf.Tensor2D, o: Options, rng: Rng, live: boolean[]): Promise<Sampled> {
  const lpT = tf.logSoftmax(logits);
  const vocab = logits.shape[1];
  try {
    const lp = (await lpT.data()) as Float32Array;
    const ids = new Int32Array(live.length);
    const logprobs = new Float32Array(live.length);
    live.forEach((isLive, i) => {
      if (!isLive) return;
      const row = lp.subarray(i * vocab, (i + 1) * vocab);
      ids[i] = sampleFromLogProbs(row, o, rng);
      logprobs[i] = row[ids[i]!]!;
    });
    return { ids, logprobs };
  } finally {
    lpT.dispose();
  }
}

/**
 * Steps a decode loop replayed from a dispatch graph runs ahead of its read-backs: a step's host work is ~1.5 ms and
 * a read-back's latency ~3 ms on an H200, so waiting for the previous step only would leave the GPU idle.
 */
const GRAPH_READ_AHEAD = 2;

/**
 * Batched generation over left-padded prompts with a KV cache.
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
  const o = parseOptions(options);
  const rng = options.rng ?? new Rng(o.seed);
  const stopIds = new Set(o.stopTokenIds ?? tokenizer.eosTokenIds);
  const b = prompts.length;
  const width = Math.max(...prompts.map((p) => p.length));
  const pad = tokenizer.padTokenId;
  const keyMask = prompts.map((p) => [...Array(width - p.length).fill(0), ...Array(p.length).fill(1)]);
  const maxNew = Math.min(o.maxNewTokens, cfg.maxPositionEmbeddings - width);
  const seqs: SeqState[] = prompts.map(() => ({ tokenIds: [], logprobs: [], done: false, finishReason: 'length' }));
  const device = onDevice(o);
  const accept = (r: Sampled): void => {
    seqs.forEach((q, i) => {
      if (q.done) return;
      const id = r.ids[i]!;
      q.tokenIds.push(id);
      q.logprobs.push(r.logprobs[i]!);
      if (stopIds.has(id) || hitsStopString(tokenizer, q.tokenIds, o.stopStrings)) {
        q.done = true;
        q.finishReason = 'stop';
      }
    });
  };
  let cache: KvCache | undefined;
  let input: tf.Tensor2D | undefined = tf.tensor2d(
    prompts.map((p) => [...Array(width - p.length).fill(pad), ...p]),
    [b, width],
    'int32',
  );
  // read-backs in flight, oldest first: the loop waits for one only when more than `readAhead` are out
  const inFlight: Promise<Sampled>[] = [];
  const readAhead = (): number => (graph ? GRAPH_READ_AHEAD : 1);
  // WebGPU + device sampling: decode steps after the prefill run on the preallocated in-place cache
  // (packedDecode false keeps the concat cache, for comparison).
  const packed = device && tf.getBackend() === 'webgpu' && o.packedDecode;
  let decoder: PackedDecoder | undefined;
  // ... and after the first of them, each decode step + sampling is replayed from a captured dispatch graph
  // (decodeGraph false runs every step through tfjs)
  let graph: DecodeGraph | undefined;
  const promptLens = prompts.map((p) => p.length);
  /** Queues a step's read-back, then accepts the oldest ones until at most `readAhead()` are out. */
  const readBack = async (read: Promise<Sampled>): Promise<void> => {
    inFlight.push(read);
    while (inFlight.length > readAhead()) accept(await inFlight.shift()!);
  };
  try {
    for (let s = 0; s < maxNew && seqs.some((q) => !q.done); s++) {
      // a decode step's rotary positions and cache slot (the prefill, s = 0, uses neither)
      const positions = promptLens.map((n) => n + s - 1);
      const slot = width + s - 1;
      if (graph) {
        const u = o.temperature === 0 ? undefined : Float32Array.from({ length: b }, () => rng.next());
        const read = graph.step(input, positions, slot, u);
        input?.dispose();
        input = undefined;
        await readBack(read);
        continue;
      }
      const ids = input!;
      let logits: tf.Tensor2D;
      if (decoder) {
        logits = decoder.step(ids, positions, slot);
      } else {
        const r = step(w, cfg, ids, keyMask, cache, o.packedMlp);
        disposeCache(cache);
        cache = r.cache;
        logits = r.logits;
        if (packed) {
          decoder = new PackedDecoder(w, cfg, cache, keyMask, width + maxNew);
          cache = undefined;
          if (o.decodeGraph) graph = new DecodeGraph(decoder, o.temperature);
        }
      }
      ids.dispose();
      for (const row of keyMask) row.push(1);
      if (!device) {
        try {
          accept(
            await sampleOnHost(
              logits,
              o,
              rng,
              seqs.map((q) => !q.done),
            ),
          );
        } finally {
          logits.dispose();
        }
        input = tf.tensor2d(
          seqs.map((q) => [q.done ? pad : q.tokenIds[q.tokenIds.length - 1]!]),
          [b, 1],
          'int32',
        );
        continue;
      }
      const sampled = sampleOnDevice(logits, o, rng);
      logits.dispose();
      input = tf.reshape(sampled.ids, [b, 1]) as tf.Tensor2D;
      await readBack(readSampled(sampled));
    }
    while (inFlight.length > 0) accept(await inFlight.shift()!);
  } finally {
    input?.dispose();
    disposeCache(cache);
    graph?.dispose();
    decoder?.dispose();
    await Promise.all(inFlight.map((p) => p.catch(() => undefined)));
  }
  return seqs.map((q) => ({
    tokenIds: q.tokenIds,
    logprobs: q.logprobs,
    text: tokenizer.decode(q.tokenIds, { skipSpecialTokens: true }),
    finishReason: q.finishReason,
  }));
}

/** Reads a step's sampled ids and log-probs, then frees them. */
async function readSampled(s: SampledTokens): Promise<Sampled> {
  try {
    const [ids, logprobs] = await Promise.all([s.ids.data(), s.logprobs.data()]);
    return { ids: ids as Int32Array, logprobs: logprobs as Float32Array };
  } finally {
    s.ids.dispose();
    s.logprobs.dispose();
  }
}

function hitsStopString(tokenizer: Tokenizer, ids: number[], stops: string[]): boolean {
  if (stops.length === 0) return false;
  const tail = tokenizer.decode(ids.slice(-32), { skipSpecialTokens: false });
  return stops.some((s) => tail.includes(s));
}
