import { unitHash } from './hash.js';
import type { AttackRecord, Split } from './schemas.js';

export interface SplitRatios {
  train: number;
  val: number;
  test: number;
}

export const defaultSplitRatios: SplitRatios = { train: 0.8, val: 0.1, test: 0.1 };

/** The split a seed belongs to: a hash of the seed id, so every record of a seed lands in one split. */
export function splitOfSeed(seedId: string, ratios: SplitRatios = defaultSplitRatios, salt = ''): Split {
  const total = ratios.train + ratios.val + ratios.test;
  const u = unitHash(`${salt}${seedId}`) * total;
  if (u < ratios.train) return 'train';
  if (u < ratios.train + ratios.val) return 'val';
  return 'test';
}

export function splitRecords(
  records: readonly AttackRecord[],
  ratios: SplitRatios = defaultSplitRatios,
  salt = '',
): Record<Split, AttackRecord[]> {
  const out: Record<Split, AttackRecord[]> = { train: [], val: [], test: [] };
  for (const r of records) out[splitOfSeed(r.seedId, ratios, salt)].push(r);
  return out;
}
