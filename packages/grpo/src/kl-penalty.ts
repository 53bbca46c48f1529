import * as tf from '@tensorflow/tfjs-core';

/** KL estimators (verl `kl_penalty`): `k1`/`kl`, `abs`, `k2`/`mse`, `k3`/`low_var_kl`. */
export type KlPenaltyType = 'kl' | 'k1' | 'abs' | 'mse' | 'k2' | 'low_var_kl' | 'k3';

export const KL_PENALTY_TYPES: readonly KlPenaltyType[] = ['kl', 'k1', 'abs', 'mse', 'k2', 'low_var_kl', 'k3'];

/**
 * Per-token KL estimate between the policy and a reference, `(B, T)`:
 * - `k1`/`kl`: `logπ − logπ_ref`
 * - `abs`: `|logπ − logπ_ref|`
 * - `k2`/`mse`: `½ (logπ − logπ_ref)²`
 * - `k3`/`low_var_kl`: with `d = logπ_ref − logπ` clamped to ±20 (verl), `e^d − d − 1`, clamped to [−10, 10].
 */
export function klPenalty(logProbs: tf.Tensor2D, refLogProbs: tf.Tensor2D, type: KlPenaltyType): tf.Tensor2D {
  return tf.tidy(() => {
    switch (type) {
      case 'kl':
      case 'k1':
        return tf.sub(logProbs, refLogProbs) as tf.Tensor2D;
      case 'abs':
        return tf.abs(tf.sub(logProbs, refLogProbs)) as tf.Tensor2D;
      case 'mse':
      case 'k2':
        return tf.mul(0.5, tf.square(tf.sub(logProbs, refLogProbs))) as tf.Tensor2D;
      case 'low_var_kl':
      case 'k3': {
        const d = tf.clipByValue(tf.sub(refLogProbs, logProbs), -20, 20);
        return tf.clipByValue(tf.sub(tf.sub(tf.exp(d), d), 1), -10, 10) as tf.Tensor2D;
      }
    }
  });
}
