import * as tf from '@tensorflow/tfjs-core';

/** Segment ids for (sequence, turn) pairs: `b·K + turn` under the mask, a dummy id `B·K` elsewhere. */
export interface TurnSegments {
  /** Flattened `(B·T)` int32 segment id per token. */
  segmentIds: tf.Tensor1D;
  /** `B·K + 1` (the last one collects masked-out tokens). */
  numSegments: number;
}

/**
 * Builds (sequence, turn) segments from `turnIds (B, T)` int32 and `mask (B, T)` float32. Turn ids
 * under the mask must be ≥ 0; masked-out positions may hold anything (e.g. −100).
 * Reads the largest turn id synchronously (a single scalar).
 */
export function turnSegments(turnIds: tf.Tensor2D, mask: tf.Tensor2D): TurnSegments {
  const [batch, length] = turnIds.shape;
  return tf.tidy(() => {
    const on = tf.greater(mask, 0);
    const ids = tf.where(on, tf.cast(turnIds, 'int32'), tf.zeros(turnIds.shape, 'int32'));
    const numTurns = batch * length === 0 ? 1 : (tf.max(ids).dataSync()[0] ?? 0) + 1;
    const rowBase = tf.mul(tf.reshape(tf.range(0, batch, 1, 'int32'), [batch, 1]), tf.scalar(numTurns, 'int32'));
    const dummy = tf.fill([batch, length], batch * numTurns, 'int32');
    const seg = tf.where(on, tf.add(rowBase, ids), dummy);
    return { segmentIds: tf.keep(tf.reshape(seg, [-1]) as tf.Tensor1D), numSegments: batch * numTurns + 1 };
  });
}
