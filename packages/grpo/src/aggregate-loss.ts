import * as tf from '@tensorflow/tfjs-core';
import { GrpoInputError } from './errors.js';
import { turnSegments } from './turn-segments.js';

/**
 * Loss aggregation modes. verl: `token-mean`, `seq-mean-token-sum`, `seq-mean-token-mean`,
 * `seq-mean-token-sum-norm`. MAGIC/ReMA: `trajectory` (= `seq-mean-token-mean`) and `turn`
 * (every (sequence, turn) gets equal weight; needs `turnIds`).
 */
export type LossAggMode =
  | 'token-mean'
  | 'seq-mean-token-sum'
  | 'seq-mean-token-mean'
  | 'seq-mean-token-sum-norm'
  | 'trajectory'
  | 'turn';

export const LOSS_AGG_MODES: readonly LossAggMode[] = [
  'token-mean',
  'seq-mean-token-sum',
  'seq-mean-token-mean',
  'seq-mean-token-sum-norm',
  'trajectory',
  'turn',
];

export interface AggregateLossOptions {
  /** Turn index per token `(B, T)` int32; required by `'turn'`. */
  turnIds?: tf.Tensor2D;
}

/** Zeroes masked-out positions with `where`, so NaN/Inf there cannot leak into sums (NaN·0 = NaN). */
export function maskedValues(values: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.where(tf.greater(mask, 0), values, tf.zerosLike(values)) as tf.Tensor2D);
}

/** Mean of `values` over entries where `weight > 0`; 0 when there are none. */
function meanOverPresent(values: tf.Tensor, present: tf.Tensor): tf.Scalar {
  const p = tf.cast(present, 'float32');
  const kept = tf.where(present, values, tf.zerosLike(values));
  return tf.div(tf.sum(kept), tf.maximum(tf.sum(p), 1)) as tf.Scalar;
}

function turnMean(masked: tf.Tensor2D, mask: tf.Tensor2D, turnIds: tf.Tensor2D): tf.Scalar {
  const { segmentIds, numSegments } = turnSegments(turnIds, mask);
  try {
    const sums = tf.unsortedSegmentSum(tf.reshape(masked, [-1]), segmentIds, numSegments);
    const counts = tf.unsortedSegmentSum(tf.reshape(tf.cast(mask, 'float32'), [-1]), segmentIds, numSegments);
    const real = tf.slice(counts, 0, numSegments - 1);
    const turnMeans = tf.div(tf.slice(sums, 0, numSegments - 1), tf.maximum(real, 1));
    return meanOverPresent(turnMeans, tf.greater(real, 0));
  } finally {
    segmentIds.dispose();
  }
}

/**
 * Aggregates a per-token loss `(B, T)` under `mask (B, T)` (0/1) into a scalar (verl `agg_loss`).
 *
 * NaN / empty-mask rules: positions with mask 0 are ignored even if they hold NaN/Inf; an all-zero
 * mask gives 0 (never NaN); in the `seq-mean-*`/`trajectory` means, sequences with no masked token are
 * left out of the mean (verl would count them: 0 for token-sum, NaN for token-mean); in `turn`,
 * only (sequence, turn) pairs with ≥ 1 token count. `seq-mean-token-sum-norm` is verl's Dr. GRPO form
 * `Σ_b Σ_t loss·mask / T` (T = mask width, no division by B).
 */
export function aggregateLoss(
  lossMat: tf.Tensor2D,
  mask: tf.Tensor2D,
  mode: LossAggMode,
  options: AggregateLossOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const m = tf.cast(mask, 'float32') as tf.Tensor2D;
    const masked = maskedValues(lossMat, m);
    const rowSum = tf.sum(masked, 1);
    const rowCount = tf.sum(m, 1);
    const rowPresent = tf.greater(rowCount, 0);
    switch (mode) {
      case 'token-mean':
        return tf.div(tf.sum(masked), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
      case 'seq-mean-token-sum':
        return meanOverPresent(rowSum, rowPresent);
      case 'seq-mean-token-mean':
      case 'trajectory':
        return meanOverPresent(tf.div(rowSum, tf.maximum(rowCount, 1)), rowPresent);
      case 'seq-mean-token-sum-norm':
        return tf.div(tf.sum(rowSum), Math.max(lossMat.shape[1], 1)) as tf.Scalar;
      case 'turn':
        if (!options.turnIds) throw new GrpoInputError('turnIds', "is required by lossAggMode 'turn'");
        return turnMean(masked, m, options.turnIds);
    }
  });
}

/** Masked mean over all tokens (verl `masked_mean`), 0 for an empty mask; masked-out NaN ignored. */
export function maskedMean(values: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return aggregateLoss(values, mask, 'token-mean');
}
