import { logProbGather } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import type { Qwen2Config } from './config.js';
import { LmInputError } from './errors.js';
import { forwardHidden, headWeight } from './model.js';
import type { ModelWeights } from './weights.js';

/** Largest logits chunk in elements (WebGPU bindings are limited to 2 GiB; keep chunks far below). */
export const MAX_LOGITS_CHUNK = 1 << 26;

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

/** log p(target) and optional entropy for hidden rows [N,H], in chunks of rows. */
function chunkedLogProbs(
  w: ModelWeights,
  rows: tf.Tensor2D,
  targets: tf.Tensor1D,
  withEntropy: boolean,
): { lp: tf.Tensor1D; ent?: tf.Tensor1D } {
  const head = headWeight(w);
  const vocab = head.shape[0]!;
  const n = rows.shape[0];
  const chunk = Math.max(1, Math.min(n, Math.floor(MAX_LOGITS_CHUNK / vocab)));
  const lps: tf.Tensor1D[] = [];
  const ents: tf.Tensor1D[] = [];
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const logits = tf.matMul(tf.slice(rows, [start, 0], [size, -1]), head, false, true) as tf.Tensor2D;
    // Fused log-softmax + gather (one WGSL dispatch on WebGPU): only the logits are kept for backward.
    lps.push(logProbGather(logits, tf.slice(targets, [start], [size])));
    if (withEntropy) {
      const p = tf.softmax(logits);
      ents.push(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(p, logits), 1)));
    }
  }
  const lp = lps.length === 1 ? lps[0]! : (tf.concat(lps) as tf.Tensor1D);
  if (!withEntropy) return { lp };
  return { lp, ent: ents.length === 1 ? ents[0]! : (tf.concat(ents) as tf.Tensor1D) };
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
  opts: { withEntropy?: boolean } = {},
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
  const { hidden } = forwardHidden(w, cfg, { ids: inputIds, positions, bias }, false);
  const h = cfg.hiddenSize;
  const rows = tf.reshape(tf.slice(hidden, [0, 0, 0], [b, t - 1, h]), [b * (t - 1), h]) as tf.Tensor2D;
  const targets = tf.reshape(tf.slice(tf.cast(inputIds, 'int32'), [0, 1], [b, t - 1]), [b * (t - 1)]) as tf.Tensor1D;
  const { lp, ent } = chunkedLogProbs(w, rows, targets, withEntropy);
  const maskF = tf.cast(attentionMask, 'float32');
  const finish = (x: tf.Tensor1D): tf.Tensor2D =>
    tf.mul(tf.concat([tf.zeros([b, 1]), tf.reshape(x, [b, t - 1])], 1), maskF) as tf.Tensor2D;
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
  const logits = tf.matMul(tf.reshape(hidden, [b * t, cfg.hiddenSize]), headWeight(w), false, true);
  return tf.reshape(logits, [b, t, cfg.vocabSize]);
}
