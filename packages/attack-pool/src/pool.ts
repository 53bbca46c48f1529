import { readFileSync } from 'node:fs';
import { dataDir } from './data-dir.js';
import { readAttackRecords } from './pool-file.js';
import type { AttackRecord, DataType, Split } from './schemas.js';
import type { PoolStats } from './stats.js';
import type { StrategyId } from './strategies.js';

export interface LoadAttackPoolOptions {
  /** One split, or all three when omitted. */
  split?: Split;
  dataType?: DataType;
  strategies?: readonly StrategyId[];
  /** Folder holding `{train,val,test}.jsonl[.gz]`; defaults to the shipped pool. */
  dir?: string;
}

function splitFile(dir: string, split: Split): string {
  return `${dir.replace(/\/$/, '')}/${split}.jsonl.gz`;
}

/** Reads the shipped attack pool (or a built one) as validated records. */
export function loadAttackPool(options: LoadAttackPoolOptions = {}): AttackRecord[] {
  const dir = options.dir ?? dataDir('pool');
  const splits: Split[] = options.split ? [options.split] : ['train', 'val', 'test'];
  const records = splits.flatMap((s) => {
    const gz = splitFile(dir, s);
    const plain = gz.slice(0, -3);
    const fromGz = readAttackRecords(gz);
    return fromGz.length > 0 ? fromGz : readAttackRecords(plain);
  });
  const strategies = options.strategies ? new Set(options.strategies) : undefined;
  return records.filter(
    (r) => (!options.dataType || r.dataType === options.dataType) && (!strategies || strategies.has(r.strategy)),
  );
}

/** The shipped pool's stats report. */
export function shippedPoolStats(): PoolStats & Record<string, unknown> {
  return JSON.parse(readFileSync(dataDir('pool', 'stats.json'), 'utf8')).stats;
}
