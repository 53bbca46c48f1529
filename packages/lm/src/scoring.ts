import { at, defined } from '@magic/core';
import { logProbGather, logProbGatherGrad } from '@magic/tensor/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { chunksOf } from './chunks.js';
import type { Qwen2Config } from './config.js';
import { LmInputError } from './errors.js';
import { forwardHidden, headLogits, headWeight, logitsOf } from './model.js';
import type { ModelWeights } from './weights.js';

/**
 * Largest logits chunk in elements (512 MiB of float32; WebGPU bindings are limited to 2 GiB): bigger head GEMMs
 * are faster up to this size, larger ones only cost memory (bench/RESULTS.md).
 */
export const MAX_LOGITS_CHUNK = 1 << 27;

/** positions[b,t] = (number of unmasked tokens before t), 0 on padding: HF generate's position_ids. */
export function positionsFromMask(mask: number[][]): number[][] {
  return mask.map((row) => {
    let n = 0;
    return row.map((m) => (m === 1 ? n++ : 0));
  });
}

export function validateBatch(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D, cfg: Qwen2Config): void {
  if (inputIds.rank !== 2) throw new LmInputError('inputIds', `expected rank 2, got rank ${inputIds.rank}`);
  const [b, t] = inputIds.shape;
  if (b === 0 || t === 0) throw new LmInputError('inputIds', `empty batch [${inputIds.shape}]`);
  if (attentionMask.shape[0] !== b || attentionMask.shape[1] !== t) {
    throw new LmInputError(
      'attentionMask',
      `shape [${attentionMask.shape}] does not match inputIds [${inputIds.shape}]`,
    );
  }
  if (t > cfg.maxPositionEmbeddings) {
    throw new LmInputError('inputIds', `length ${t} exceeds max_position_embeddings ${cfg.maxPositionEmbeddings}`);
  }
}

/** positionsFromMask on the device: exclusive cumsum of the mask, 0 on padding ([B,T] int32). */
function positionsOnDevice(mask: tf.Tensor2D): tf.Tensor2D {
  const m = tf.cast(mask, 'float32');
  return tf.cast(tf.mul(tf.cumsum(m, 1, true), m), 'int32') as tf.Tensor2D;
}

/** attentionBias(mask, T) on the device ([B,1,T,T]): no read-back of the mask (WebGPU has no sync reads). */
function causalBiasOnDevice(mask: tf.Tensor2D): tf.Tensor4D {
  const [b, t] = mask.shape;
  const causal = tf.linalg.bandPart(tf.ones([t, t]), -1, 0);
  const keys = tf.reshape(tf.cast(mask, 'float32'), [b, 1, 1, t]);
  return tf.mul(tf.sub(tf.mul(keys, causal), 1), 1e9) as tf.Tensor4D;
}

const cat = (xs: tf.Tensor1D[]): tf.Tensor1D =>
  xs.length === 1 ? at(xs, 0, 'chunks') : (tf.concat(xs) as tf.Tensor1D);

/** Entropy of the softmax of each row of logits [N,V]: logSumExp − Σ p·logits. */
function entropyOf(logits: tf.Tensor2D): tf.Tensor1D {
  return tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(tf.softmax(logits), logits), 1)) as tf.Tensor1D;
}

/** Whether ops now are recorded for a gradient (inside tf.grad / variableGrads); tfjs' own customGrad test. */
function gradientRecorded(): boolean {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; kernelDepth: number } }).state;
  return state.gradientDepth > 0 && state.kernelDepth === 0;
}

/** Rows [start, start + size) of a [N,H] matrix. */
const sliceRows = (rows: tf.Tensor2D, start: number, size: number): tf.Tensor2D =>
  tf.slice(rows, [start, 0], [size, -1]);

/**
 * Rows per chunk for n rows in chunks of at most `maxRows`, as even as possible (8192 rows, at most 883 a chunk: 9
 * chunks of 820 and one of 812, not 9 of 883 and one of 245): less memory for the same number of chunks.
 */
export function balancedChunk(n: number, maxRows: number): number {
  const m = Math.max(1, maxRows);
  return Math.ceil(n / Math.ceil(n / m));
}

/**
 * log p(targets[i]) for hidden rows [N,H] through the head [V,H], chunk by chunk, with its own gradient: the
 * forward keeps no logits (only rows, head and targets), and the backward recomputes each chunk's logits, turns
 * them into dLogits in one pass (`logProbGatherGrad`) and accumulates d(head) in one [V,H] buffer. Autodiff of the
 * chunked ops instead kept every chunk's logits and made one [V,H] head gradient per chunk.
 * `keepLogits`: keep each chunk's logits for the backward instead of recomputing them (one head GEMM fewer per
 * chunk, for the memory of all chunks' logits between this forward and its backward).
 */
function linearLogProbs(
  rows: tf.Tensor2D,
  head: tf.Tensor2D,
  targets: tf.Tensor1D,
  chunk: number,
  entropyOut?: { ent?: tf.Tensor1D },
  keepLogits = false,
): tf.Tensor1D {
  const parts = chunksOf(rows.shape[0], chunk);
  // every chunk is computed `width` rows high, the last one zero-padded: one buffer size for all chunks' logits
  // (with a shorter last chunk the WebGPU pool kept both sizes: 8 x 498 + 5 x 494 MB for 820/812-row chunks)
  const width = parts.length > 1 ? chunk : rows.shape[0];
  const padded = <T extends tf.Tensor>(x: T, size: number): T =>
    size === width
      ? x
      : (tf.pad(x, [[0, width - size], ...x.shape.slice(1).map(() => [0, 0] as [number, number])]) as T);
  const first = <T extends tf.Tensor>(x: T, size: number): T =>
    size === width ? x : (tf.slice(x, 0, size) as unknown as T);
  // only while a gradient is recorded: a forward without one would hold every chunk's logits for nothing
  const keep = keepLogits && gradientRecorded();
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [r, hd, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const ents: tf.Tensor1D[] = [];
    const kept: tf.Tensor2D[] = [];
    const lps = parts.map(([start, size]) => {
      // one chunk's logits (and its softmax temporaries) are freed before the next chunk's, unless kept for backward
      const out = tf.tidy(() => {
        const logits = headLogits(padded(sliceRows(r, start, size), size), hd);
        // entropy of the same logits as a side output (ops inside a custom gradient's forward are not taped)
        if (entropyOut) ents.push(tf.keep(first(entropyOf(logits), size)));
        const lp = first(logProbGather(logits, padded(tf.slice(targets, [start], [size]), size)), size);
        return keep ? { lp, logits } : { lp };
      });
      if (out.logits) kept.push(out.logits); // in the forward's scope: freed when it ends, after save's clones
      return out.lp;
    });
    // targets too: they may be created inside the forward's tidy, which ends before the backward pass
    save([r, hd, targets, ...kept]); // (save keeps clones; the originals go with the forward's scope)
    if (entropyOut) {
      entropyOut.ent = tf.keep(cat(ents));
      if (ents.length > 1) tf.dispose(ents); // kept per chunk above; concatenated now
    }
    return {
      value: cat(lps),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [rs, hs, ts, ...keptLogits] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, ...tf.Tensor2D[]];
        const dRows: tf.Tensor2D[] = [];
        let dHead: tf.Tensor2D | undefined;
        for (const [i, [start, size]] of parts.entries()) {
          // one chunk's (recomputed) logits and dLogits live only inside this tidy
          const next = tf.tidy(() => {
            // padded rows: zero hidden rows and dy = 0, so zero dLogits rows (no share in dHead; sliced off dRows)
            const hiddenChunk = padded(sliceRows(rs, start, size), size);
            const dl = logProbGatherGrad(
              keptLogits[i] ?? headLogits(hiddenChunk, hs),
              padded(tf.slice(ts, [start], [size]), size),
              padded(tf.slice(dy as tf.Tensor1D, [start], [size]), size),
            );
            const dHeadPart = tf.matMul(dl, hiddenChunk, true, false) as tf.Tensor2D;
            const dRowsPart = first(tf.matMul(dl, hs) as tf.Tensor2D, size);
            return { dRows: dRowsPart, dHead: dHead ? tf.add(dHead, dHeadPart) : dHeadPart };
          });
          dHead?.dispose();
          dHead = next.dHead as tf.Tensor2D;
          dRows.push(next.dRows);
        }
        return [dRows.length === 1 ? at(dRows, 0, 'row gradients') : tf.concat(dRows), defined(dHead, 'head gradient')];
      },
    };
  });
  return op(rows, head) as tf.Tensor1D;
}

/** log p(target) and optional entropy for hidden rows [N,H], in chunks of rows. */
function chunkedLogProbs(
  w: ModelWeights,
  rows: tf.Tensor2D,
  targets: tf.Tensor1D,
  withEntropy: boolean,
  entropyGrad: boolean,
  chunkRows?: number,
  keepLogits = false,
): { lp: tf.Tensor1D; ent?: tf.Tensor1D } {
  const head = headWeight(w);
  const vocab = at(head.shape, 0, 'head shape');
  const n = rows.shape[0];
  const chunk = Math.max(1, Math.min(n, chunkRows ?? balancedChunk(n, Math.floor(MAX_LOGITS_CHUNK / vocab))));
  if (!withEntropy) return { lp: linearLogProbs(rows, head as tf.Tensor2D, targets, chunk, undefined, keepLogits) };
  if (!entropyGrad) {
    const side: { ent?: tf.Tensor1D } = {};
    const lp = linearLogProbs(rows, head as tf.Tensor2D, targets, chunk, side, keepLogits);
    // the kept side output joins the caller's scope through an op (then the kept original is freed)
    const kept = defined(side.ent, 'entropy side output');
    const ent = tf.add(kept, 0) as tf.Tensor1D;
    kept.dispose();
    return { lp, ent };
  }
  // a differentiable entropy (entropy bonus in the loss): autodiff of the chunked ops
  const lps: tf.Tensor1D[] = [];
  const ents: tf.Tensor1D[] = [];
  for (const [start, size] of chunksOf(n, chunk)) {
    const logits = headLogits(sliceRows(rows, start, size), head);
    lps.push(logProbGather(logits, tf.slice(targets, [start], [size])));
    ents.push(entropyOf(logits));
  }
  return { lp: cat(lps), ent: cat(ents) };
}

export interface TokenLogProbsOptions {
  /** Also return the per-token entropy of the next-token distribution. */
  withEntropy?: boolean;
  /**
   * Whether the entropy is differentiable (default true). False: it is a metric only (zero gradient) and the
   * log-probs take the lean path that keeps no logits for backward (GRPO with entropyCoeff = 0).
   */
  entropyGrad?: boolean;
  /** Rows of logits per chunk (default: even chunks of at most MAX_LOGITS_CHUNK elements). */
  chunkRows?: number;
  /** Gradient checkpointing per decoder layer (recompute in backward; see ForwardOptions.checkpoint). */
  checkpoint?: boolean;
  /** ForwardOptions.packedMlp (default true). */
  packedMlp?: boolean;
  /**
   * First column whose log-prob (and entropy) is computed; earlier columns are 0. Only rows from here on go
   * through the vocabulary head (GRPO needs the response columns only: for 128 prompt + 128 response tokens
   * this halves the head's work, the largest single GEMM of a small model). Default 1 (every column).
   */
  fromPosition?: number;
  /**
   * Keep the vocabulary head's logits from the forward for the backward instead of recomputing them (one
   * [rows, H] x [H, V] GEMM fewer per backward; costs rows x V floats between the two, e.g. 1.2 GB for 16 x 128
   * response tokens of Qwen2.5). Only while a gradient is recorded. Default false.
   */
  keepLogits?: boolean;
}

/** `fromPosition` checked and clamped to [1, t - 1] (column 0 has no context and is always 0). */
function fromPositionOf(from: number | undefined, t: number): number {
  if (from === undefined) return 1;
  if (!Number.isInteger(from) || from < 0) {
    throw new LmInputError('fromPosition', `must be a non-negative integer, got ${from}`);
  }
  return Math.min(Math.max(from, 1), t - 1);
}

/**
 * logProbs[b,t] = log p(ids[b,t] | ids[b,<t]) (column 0 and padding are 0); entropy[b,t] of that distribution.
 * Differentiable w.r.t. the weights. Call inside tf.tidy / tf.variableGrads.
 */
export function tokenLogProbs(
  w: ModelWeights,
  cfg: Qwen2Config,
  inputIds: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  opts: TokenLogProbsOptions = {},
): { logProbs: tf.Tensor2D; entropy?: tf.Tensor2D } {
  validateBatch(inputIds, attentionMask, cfg);
  const [b, t] = inputIds.shape;
  const withEntropy = opts.withEntropy ?? false;
  if (t === 1) {
    const z = tf.zeros([b, 1]) as tf.Tensor2D;
    return withEntropy ? { logProbs: z, entropy: tf.zeros([b, 1]) } : { logProbs: z };
  }
  const positions = positionsOnDevice(attentionMask);
  const bias = causalBiasOnDevice(attentionMask);
  const { hidden } = forwardHidden(
    w,
    cfg,
    { ids: inputIds, positions, bias },
    { checkpoint: opts.checkpoint, packedMlp: opts.packedMlp },
  );
  const h = cfg.hiddenSize;
  // column s's log-prob is read from hidden row s - 1
  const from = fromPositionOf(opts.fromPosition, t);
  const n = t - from;
  const rows = tf.reshape(tf.slice(hidden, [0, from - 1, 0], [b, n, h]), [b * n, h]) as tf.Tensor2D;
  const targets = tf.reshape(tf.slice(tf.cast(inputIds, 'int32'), [0, from], [b, n]), [b * n]) as tf.Tensor1D;
  const { lp, ent } = chunkedLogProbs(
    w,
    rows,
    targets,
    withEntropy,
    opts.entropyGrad ?? true,
    opts.chunkRows,
    opts.keepLogits,
  );
  const maskF = tf.cast(attentionMask, 'float32');
  const finish = (x: tf.Tensor1D): tf.Tensor2D =>
    tf.mul(tf.concat([tf.zeros([b, from]), tf.reshape(x, [b, n])], 1), maskF) as tf.Tensor2D;
  return ent ? { logProbs: finish(lp), entropy: finish(ent) } : { logProbs: finish(lp) };
}

/** Full logits [B,T,V] (small models / tests only). */
export function fullLogits(
  w: ModelWeights,
  cfg: Qwen2Config,
  inputIds: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
): tf.Tensor3D {
  validateBatch(inputIds, attentionMask, cfg);
  const [b, t] = inputIds.shape;
  const positions = positionsOnDevice(attentionMask);
  const bias = causalBiasOnDevice(attentionMask);
  const { hidden } = forwardHidden(w, cfg, { ids: inputIds, positions, bias }, false);
  const logits = logitsOf(w, tf.reshape(hidden, [b * t, cfg.hiddenSize]) as tf.Tensor2D);
  return tf.reshape(logits, [b, t, cfg.vocabSize]);
}

/**
 * Final-normed hidden states [B,T,H] (differentiable; padding rows are computed but masked out of attention):
 * what a classification head on the backbone reads (e.g. the transformer guard's heads).
 */
export function hiddenStates(
  w: ModelWeights,
  cfg: Qwen2Config,
  inputIds: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  opts: { checkpoint?: boolean; packedMlp?: boolean } = {},
): tf.Tensor3D {
  validateBatch(inputIds, attentionMask, cfg);
  const positions = positionsOnDevice(attentionMask);
  const bias = causalBiasOnDevice(attentionMask);
  return forwardHidden(w, cfg, { ids: inputIds, positions, bias }, opts).hidden;
}
