import * as tf from '@tensorflow/tfjs-core';
import { chunk, firstMaskedColumn, rowsTensor } from './batch.js';
import { GrpoInputError } from './errors.js';
import type { Policy } from './policy.js';

/** The token rows whose log-probs are wanted; with `responseMask`, columns before the first response one may be 0. */
export interface LogProbRows {
  inputIds: number[][];
  attentionMask: number[][];
  responseMask?: number[][];
}

/**
 * Per-token log-probs of `policy` for every row, without a gradient, `microBatchSize` rows at a time (bounds
 * activation memory). The one place old log-probs (verl's `compute_log_prob`) and reference log-probs are computed.
 */
export async function computeLogProbsNoGrad(
  policy: Pick<Policy, 'computeLogProbs'>,
  batch: LogProbRows,
  microBatchSize: number = batch.inputIds.length,
): Promise<number[][]> {
  if (!(Number.isInteger(microBatchSize) && microBatchSize > 0)) {
    throw new GrpoInputError('microBatchSize', `must be a positive integer, got ${microBatchSize}`);
  }
  const rows = batch.inputIds.map((_, i) => i);
  const out: number[][] = [];
  for (const micro of chunk(rows, microBatchSize)) {
    const inputIds = rowsTensor(batch.inputIds, micro, 'int32');
    const attentionMask = rowsTensor(batch.attentionMask, micro, 'int32');
    const fromPosition = batch.responseMask ? firstMaskedColumn(batch.responseMask, micro) : undefined;
    try {
      const lp = tf.tidy(() =>
        policy.computeLogProbs({ inputIds, attentionMask, ...(fromPosition === undefined ? {} : { fromPosition }) }),
      );
      try {
        out.push(...((await lp.array()) as number[][]));
      } finally {
        lp.dispose();
      }
    } finally {
      tf.dispose([inputIds, attentionMask]);
    }
  }
  return out;
}
