import { checkAttackerFormat } from './format-check.js';
import { recordOutput } from './record.js';
import type { AttackRecord, Split } from './schemas.js';

export interface PoolStats {
  records: number;
  seeds: number;
  byStrategy: Record<string, number>;
  byFamily: Record<string, number>;
  byCategory: Record<string, number>;
  byDataType: Record<string, number>;
  byGenerator: Record<string, number>;
  bySplit: Record<string, number>;
  formatPassRate: number;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    out[k] = (out[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Per strategy / family / category / dataType / generator / split counts and the format-check pass rate. */
export function computePoolStats(records: readonly AttackRecord[], splitOf?: (r: AttackRecord) => Split): PoolStats {
  const passed = records.filter((r) => checkAttackerFormat(recordOutput(r)).ok).length;
  return {
    records: records.length,
    seeds: new Set(records.map((r) => r.seedId)).size,
    byStrategy: countBy(records, (r) => r.strategy),
    byFamily: countBy(records, (r) => r.family),
    byCategory: countBy(records, (r) => r.category),
    byDataType: countBy(records, (r) => r.dataType),
    byGenerator: countBy(records, (r) => r.generator),
    bySplit: splitOf ? countBy(records, splitOf) : {},
    formatPassRate: records.length === 0 ? 0 : passed / records.length,
  };
}
