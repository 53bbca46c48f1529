import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { GrpoInputError } from './errors.js';
import type { GrpoBatch } from './policy.js';

const matrix = z.array(z.array(z.number()));

/** Shape-level schema of a GrpoBatch (row/column consistency is checked by `validateGrpoBatch`). */
export const GrpoBatchSchema = z.object({
  inputIds: z.array(z.array(z.number().int().nonnegative())),
  attentionMask: matrix,
  responseMask: matrix,
  uids: z.array(z.string()),
  rewards: z.array(z.number()),
  oldLogProbs: matrix.optional(),
  refLogProbs: matrix.optional(),
  turnIds: z.array(z.array(z.number().int())).optional(),
});

function checkMatrix(field: string, rows: readonly (readonly number[])[] | undefined, batch: number, length: number) {
  if (rows === undefined) return;
  if (rows.length !== batch) throw new GrpoInputError(field, `has ${rows.length} rows, expected ${batch}`);
  rows.forEach((row, i) => {
    if (row.length !== length) throw new GrpoInputError(field, `has length ${row.length}, expected ${length}`, i);
  });
}

/** Validates a batch (zod + consistent `(B, T)` shapes, finite rewards); returns `{ batch: B, length: T }`. */
export function validateGrpoBatch(batch: GrpoBatch): { batchSize: number; length: number } {
  const parsed = GrpoBatchSchema.safeParse(batch);
  if (!parsed.success) {
    const issue = defined(parsed.error.issues[0], 'zod issue');
    throw new GrpoInputError(issue.path.join('.') || 'batch', issue.message);
  }
  const batchSize = batch.inputIds.length;
  const [firstRow] = batch.inputIds;
  if (firstRow === undefined) throw new GrpoInputError('inputIds', 'batch is empty');
  const length = firstRow.length;
  checkMatrix('inputIds', batch.inputIds, batchSize, length);
  checkMatrix('attentionMask', batch.attentionMask, batchSize, length);
  checkMatrix('responseMask', batch.responseMask, batchSize, length);
  checkMatrix('oldLogProbs', batch.oldLogProbs, batchSize, length);
  checkMatrix('refLogProbs', batch.refLogProbs, batchSize, length);
  checkMatrix('turnIds', batch.turnIds, batchSize, length);
  if (batch.uids.length !== batchSize)
    throw new GrpoInputError('uids', `has ${batch.uids.length} entries, expected ${batchSize}`);
  if (batch.rewards.length !== batchSize) {
    throw new GrpoInputError('rewards', `has ${batch.rewards.length} entries, expected ${batchSize}`);
  }
  batch.rewards.forEach((r, i) => {
    if (!Number.isFinite(r)) throw new GrpoInputError('rewards', `must be finite, got ${r}`, i);
  });
  return { batchSize, length };
}

/** Splits groups (lists of row indices) into mini-batches of `groupsPerMiniBatch` groups each; returns row lists. */
export function splitMiniBatches(groups: readonly number[][], groupsPerMiniBatch: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < groups.length; i += groupsPerMiniBatch) out.push(groups.slice(i, i + groupsPerMiniBatch).flat());
  return out;
}

/** Splits rows into chunks of at most `size`. */
export function chunk<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * First column where any of `rows` has a nonzero mask entry (the policy's `fromPosition`): earlier columns carry
 * no loss, so their log-probs are not needed. 0 when no row has one.
 */
export function firstMaskedColumn(mask: readonly (readonly number[])[], rows: readonly number[]): number {
  let first = Number.POSITIVE_INFINITY;
  for (const r of rows) {
    const i = at(mask, r, 'mask').findIndex((m) => m > 0);
    if (i >= 0 && i < first) first = i;
  }
  return Number.isFinite(first) ? first : 0;
}

/** Picks `rows` of a `(B, T)` matrix into a tensor of the given dtype. */
export function rowsTensor(
  m: readonly (readonly number[])[],
  rows: readonly number[],
  dtype: 'int32' | 'float32',
): tf.Tensor2D {
  const length = m[0]?.length ?? 0;
  const data = dtype === 'int32' ? new Int32Array(rows.length * length) : new Float32Array(rows.length * length);
  rows.forEach((r, i) => {
    data.set(at(m, r, 'rows'), i * length);
  });
  return tf.tensor2d(data, [rows.length, length], dtype);
}
