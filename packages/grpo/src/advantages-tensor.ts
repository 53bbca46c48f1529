import * as tf from '@tensorflow/tfjs-core';
import type { ScaleRewards } from './advantages.js';

export interface GrpoAdvantageTensorInput {
  /** Rewards `(B)` float32. */
  rewards: tf.Tensor1D;
  /** Group index per sequence `(B)` int32 in `[0, numGroups)` (see `groupByUid`). */
  groupIndex: tf.Tensor1D;
  numGroups: number;
  epsilon?: number;
  normByStd?: boolean;
  scaleRewards?: ScaleRewards;
}

function unbiasedStd(centred: tf.Tensor1D, count: tf.Tensor): tf.Tensor {
  return tf.sqrt(tf.div(tf.sum(tf.square(centred)), tf.maximum(tf.sub(count, 1), 1)));
}

/**
 * Vectorised `computeGrpoOutcomeAdvantage` on tensors (segment sums instead of a loop); same rules:
 * unbiased std, singleton ⇒ mean 0 / std 1, all-equal group ⇒ exactly 0. Returns `(B)` float32.
 */
export function computeGrpoOutcomeAdvantageTensor(input: GrpoAdvantageTensorInput): tf.Tensor1D {
  const { rewards, groupIndex, numGroups } = input;
  const epsilon = input.epsilon ?? 1e-6;
  const scale: ScaleRewards = input.normByStd === false ? 'none' : (input.scaleRewards ?? 'group');
  return tf.tidy(() => {
    const seg = (x: tf.Tensor1D) => tf.gather(tf.unsortedSegmentSum(x, groupIndex, numGroups), groupIndex);
    const count = seg(tf.onesLike(rewards));
    const isMulti = tf.greater(count, 1);
    const mean = tf.where(isMulti, tf.div(seg(rewards), count), tf.zerosLike(rewards));
    const centred = tf.sub(rewards, mean) as tf.Tensor1D;
    const groupVar = tf.div(
      seg(tf.square(tf.sub(rewards, tf.div(seg(rewards), count)) as tf.Tensor1D)),
      tf.maximum(tf.sub(count, 1), 1),
    );
    const groupStd = tf.where(isMulti, tf.sqrt(groupVar), tf.onesLike(rewards));
    const member = tf.cast(tf.transpose(tf.oneHot(tf.cast(groupIndex, 'int32'), numGroups)), 'bool');
    const segMax = (x: tf.Tensor1D) =>
      tf.gather(
        tf.max(tf.where(member, tf.broadcastTo(x, member.shape), tf.fill(member.shape, -Infinity)), 1),
        groupIndex,
      );
    const zeroStd = tf.logicalAnd(isMulti, tf.equal(segMax(rewards), tf.neg(segMax(tf.neg(rewards)))));
    let adv: tf.Tensor = centred;
    if (scale === 'group') adv = tf.div(centred, tf.add(groupStd, epsilon));
    if (scale === 'batch') {
      const n = rewards.shape[0];
      const batchStd =
        n >= 2 ? unbiasedStd(tf.sub(rewards, tf.mean(rewards)) as tf.Tensor1D, tf.scalar(n)) : tf.scalar(1);
      adv = tf.div(centred, tf.add(batchStd, epsilon));
    }
    return tf.where(zeroStd, tf.zerosLike(adv), adv) as tf.Tensor1D;
  });
}

/** Broadcasts `(B)` advantages to `(B, T)` tokens under `responseMask` (float32 0/1). */
export function broadcastToTokensTensor(advantages: tf.Tensor1D, responseMask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.expandDims(advantages, 1), tf.cast(responseMask, 'float32')) as tf.Tensor2D);
}
