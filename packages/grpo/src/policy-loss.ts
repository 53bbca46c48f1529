import * as tf from '@tensorflow/tfjs-core';
import { aggregateLoss, type LossAggMode, maskedMean, maskedValues } from './aggregate-loss.js';
import { GrpoConfigError, GrpoInputError } from './errors.js';
import { turnSegments } from './turn-segments.js';

/** `'token'`: one ratio per token (verl). `'turn'`: the ratio comes from the turn-averaged log-ratio (ReMA). */
export type ClipMode = 'token' | 'turn';

export interface PolicyLossOptions {
  /** Lower PPO clip ε: ratio ≥ 1 − clipRatioLow. Default 0.2. */
  clipRatioLow?: number;
  /** Upper PPO clip ε: ratio ≤ 1 + clipRatioHigh (0.28 = DAPO clip-higher). Default 0.2. */
  clipRatioHigh?: number;
  /** Dual-clip bound for A < 0: loss ≤ −A·clipRatioC. Default 3.0. */
  clipRatioC?: number;
  /** Upper clamp on the log-ratio before `exp` (MAGIC's `log_ratio_clip_c`). Default 3.0. */
  logRatioClip?: number;
  clipMode?: ClipMode;
  lossAggMode?: LossAggMode;
}

export interface PolicyLossInput {
  /** Current log-probs `(B, T)` (differentiable). */
  logProbs: tf.Tensor2D;
  /** Sampling-policy log-probs `(B, T)`. */
  oldLogProbs: tf.Tensor2D;
  /** Token advantages `(B, T)`. */
  advantages: tf.Tensor2D;
  /** 1 on trained tokens `(B, T)`. */
  responseMask: tf.Tensor2D;
  /** Turn ids `(B, T)` int32, for `clipMode: 'turn'` or `lossAggMode: 'turn'`. */
  turnIds?: tf.Tensor2D;
}

export interface PolicyLossOutput {
  /** Aggregated PPO loss (scalar). */
  pgLoss: tf.Scalar;
  /** Fraction of tokens where the clipped branch was taken (`pg_losses2 > pg_losses1`). */
  pgClipfrac: tf.Scalar;
  /** Masked mean of `logπ_old − logπ` (after the log-ratio clamp). */
  ppoKl: tf.Scalar;
  /** Fraction of tokens with A < 0 where the dual clip bound was active. */
  pgClipfracLower: tf.Scalar;
  /** Per-token loss `(B, T)`, zero off the mask. */
  pgLosses: tf.Tensor2D;
}

function turnAveraged(logRatio: tf.Tensor2D, mask: tf.Tensor2D, turnIds: tf.Tensor2D): tf.Tensor2D {
  const { segmentIds, numSegments } = turnSegments(turnIds, mask);
  try {
    const flat = tf.reshape(maskedValues(logRatio, mask), [-1]);
    const sums = tf.unsortedSegmentSum(flat, segmentIds, numSegments);
    const counts = tf.unsortedSegmentSum(tf.reshape(mask, [-1]), segmentIds, numSegments);
    const means = tf.div(sums, tf.maximum(counts, 1));
    return tf.reshape(tf.gather(means, segmentIds), logRatio.shape) as tf.Tensor2D;
  } finally {
    segmentIds.dispose();
  }
}

/**
 * PPO clipped policy loss with dual clip (verl `compute_policy_loss`, MAGIC fork), per token:
 * `ρ = exp(min(logπ − logπ_old, logRatioClip))`, `L1 = −A·ρ`, `L2 = −A·clip(ρ, 1 − low, 1 + high)`,
 * `L = max(L1, L2)`, and for `A < 0`: `L = min(L, −A·clipRatioC)`. Aggregated with `lossAggMode`.
 * Metrics follow verl (`pg_clipfrac`, `ppo_kl`, `pg_clipfrac_lower`), as masked token means.
 */
export function computePolicyLoss(input: PolicyLossInput, options: PolicyLossOptions = {}): PolicyLossOutput {
  const low = options.clipRatioLow ?? 0.2;
  const high = options.clipRatioHigh ?? 0.2;
  const clipC = options.clipRatioC ?? 3.0;
  const logRatioClip = options.logRatioClip ?? 3.0;
  const mode = options.lossAggMode ?? 'token-mean';
  if (clipC <= 1) throw new GrpoConfigError('clipRatioC', `must be > 1, got ${clipC}`);
  return tf.tidy(() => {
    const mask = tf.cast(input.responseMask, 'float32') as tf.Tensor2D;
    const adv = maskedValues(input.advantages, mask);
    let logRatio = maskedValues(tf.sub(input.logProbs, input.oldLogProbs) as tf.Tensor2D, mask);
    if (options.clipMode === 'turn') {
      if (!input.turnIds) throw new GrpoInputError('turnIds', "is required by clipMode 'turn'");
      logRatio = turnAveraged(logRatio, mask, input.turnIds);
    }
    const clamped = tf.minimum(logRatio, logRatioClip) as tf.Tensor2D;
    const ratio = tf.exp(clamped);
    const negAdv = tf.neg(adv);
    const losses1 = tf.mul(negAdv, ratio) as tf.Tensor2D;
    const losses2 = tf.mul(negAdv, tf.clipByValue(ratio, 1 - low, 1 + high)) as tf.Tensor2D;
    const clip1 = tf.maximum(losses1, losses2) as tf.Tensor2D;
    const losses3 = tf.mul(negAdv, clipC) as tf.Tensor2D;
    const clip2 = tf.minimum(losses3, clip1);
    const isNeg = tf.less(adv, 0);
    const pgLosses = maskedValues(tf.where(isNeg, clip2, clip1) as tf.Tensor2D, mask);
    const lowerActive = tf.cast(tf.logicalAnd(tf.greater(clip1, losses3), isNeg), 'float32') as tf.Tensor2D;
    return {
      pgLoss: aggregateLoss(pgLosses, mask, mode, { turnIds: input.turnIds }),
      pgClipfrac: maskedMean(tf.cast(tf.greater(losses2, losses1), 'float32') as tf.Tensor2D, mask),
      ppoKl: maskedMean(tf.neg(clamped) as tf.Tensor2D, mask),
      pgClipfracLower: maskedMean(lowerActive, mask),
      pgLosses,
    };
  });
}
