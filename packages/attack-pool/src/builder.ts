import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defined } from '@magic/core';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { ThinkWriter } from './cot.js';
import { toAlpacaJson, toChatJsonl } from './exports.js';
import { checkAttackerFormat } from './format-check.js';
import { readAttackRecords, writeAttackRecords } from './pool-file.js';
import { attackRecordId, makeAttackRecord, recordOutput } from './record.js';
import type { Rewriter } from './rewriter/rewriter.js';
import { type AttackRecord, type SeedRecord, type Split, splitNames, splitSchema } from './schemas.js';
import { defaultSplitRatios, type SplitRatios, splitOfSeed } from './split.js';
import { computePoolStats, type PoolStats } from './stats.js';
import { type StrategyId, strategyIds } from './strategies.js';

export const buildConfigSchema = z.object({
  outDir: z.string().min(1),
  strategies: z
    .array(z.enum(strategyIds))
    .min(1)
    .default([...strategyIds]),
  concurrency: z.number().int().positive().default(4),
  splitRatios: z
    .object({ train: z.number().nonnegative(), val: z.number().nonnegative(), test: z.number().nonnegative() })
    .default(defaultSplitRatios),
  splitSalt: z.string().default(''),
  misspellRate: z.number().min(0).max(1).default(0.5),
  /** Write the split files gzipped (`train.jsonl.gz`). */
  gzip: z.boolean().default(false),
  exports: z.array(z.enum(['alpaca', 'chat'])).default([]),
});
export type BuildConfig = z.output<typeof buildConfigSchema>;
export type BuildConfigInput = z.input<typeof buildConfigSchema>;

export interface BuildFailure {
  seedId: string;
  strategy: StrategyId;
  code: string;
  message: string;
}

export interface BuildReport {
  stats: PoolStats;
  seedsIn: number;
  duplicateSeeds: number;
  built: number;
  resumed: number;
  duplicateRecords: number;
  failures: BuildFailure[];
  files: Record<string, string>;
  /** Bytes of a torn last line cut from `records.jsonl` before resuming (0 normally). */
  truncatedBytes?: number;
}

export interface BuildInput extends BuildConfigInput {
  seeds: readonly SeedRecord[];
  rewriter: Rewriter;
  thinkWriter: ThinkWriter;
  signal?: AbortSignal;
  onRecord?: (record: AttackRecord) => void;
}

const normalize = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

/** Keeps the first seed of each normalised text (and each id); returns the kept seeds and the dropped count. */
export function dedupSeeds(seeds: readonly SeedRecord[]): { seeds: SeedRecord[]; dropped: number } {
  const texts = new Set<string>();
  const ids = new Set<string>();
  const kept: SeedRecord[] = [];
  for (const s of seeds) {
    const key = normalize(s.text);
    if (texts.has(key) || ids.has(s.id)) continue;
    texts.add(key);
    ids.add(s.id);
    kept.push(s);
  }
  return { seeds: kept, dropped: seeds.length - kept.length };
}

/** Drops repeated ids and repeated (strategy, adversarial) pairs, keeping the first. */
export function dedupRecords(records: readonly AttackRecord[]): { records: AttackRecord[]; dropped: number } {
  const ids = new Set<string>();
  const rewrites = new Set<string>();
  const kept: AttackRecord[] = [];
  for (const r of records) {
    const key = `${r.strategy}\u0000${normalize(r.adversarial)}`;
    if (ids.has(r.id) || rewrites.has(key)) continue;
    ids.add(r.id);
    rewrites.add(key);
    kept.push(r);
  }
  return { records: kept, dropped: records.length - kept.length };
}

function errorInfo(e: unknown): { code: string; message: string } {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'ERROR';
  return { code, message: e instanceof Error ? e.message : String(e) };
}

/**
 * Builds (or resumes) an attack pool in `outDir`: every seed × strategy not yet in `records.jsonl` is
 * produced with at most `concurrency` in flight and appended as soon as it is done, so an interrupted
 * build resumes where it stopped. Then dedups, splits by seed and writes the split files, exports and
 * `stats.json`. Failed items are reported (not written), so a re-run retries them.
 */
export async function buildAttackPool(input: BuildInput): Promise<BuildReport> {
  const config = buildConfigSchema.parse(input);
  mkdirSync(config.outDir, { recursive: true });
  const logFile = join(config.outDir, 'records.jsonl');
  const truncatedBytes = dropTornTail(logFile);
  const existing = readAttackRecords(logFile);
  const done = new Set(existing.map((r) => r.id));
  const { seeds, dropped } = dedupSeeds(input.seeds);
  const tasks = seeds.flatMap((seed) =>
    config.strategies.filter((s) => !done.has(attackRecordId(seed.id, s))).map((strategy) => ({ seed, strategy })),
  );
  const limit = pLimit(config.concurrency);
  const failures: BuildFailure[] = [];
  let built = 0;
  await Promise.all(
    tasks.map(({ seed, strategy }) =>
      limit(async () => {
        try {
          if (input.signal?.aborted) throw Object.assign(new Error('build aborted'), { code: 'ABORTED' });
          const record = await makeAttackRecord(seed, strategy, {
            rewriter: input.rewriter,
            thinkWriter: input.thinkWriter,
            misspellRate: config.misspellRate,
            ...(input.signal ? { signal: input.signal } : {}),
          });
          const check = checkAttackerFormat(recordOutput(record));
          if (!check.ok) throw new Error(`format check failed: ${check.reason}`);
          appendFileSync(logFile, `${JSON.stringify(record)}\n`);
          built++;
          input.onRecord?.(record);
        } catch (e) {
          failures.push({ seedId: seed.id, strategy, ...errorInfo(e) });
        }
      }),
    ),
  );
  const fixedSplits = seedSplits(input.seeds);
  const report = finishPool(config, input.seeds.length, dropped, built, existing.length, failures, fixedSplits);
  return { ...report, truncatedBytes };
}

/** Seeds that name their split (`meta.split`, e.g. from the `seed-split` format) keep it in the pool. */
function seedSplits(seeds: readonly SeedRecord[]): Map<string, Split> {
  const out = new Map<string, Split>();
  for (const s of seeds) {
    const split = splitSchema.safeParse(s.meta.split);
    if (split.success) out.set(s.id, split.data);
  }
  return out;
}

/**
 * A build killed mid-write can leave a last line without its newline. That torn line is cut off
 * (and rebuilt), so a resume never trips over it; returns how many bytes were removed.
 */
export function dropTornTail(logFile: string): number {
  if (!existsSync(logFile)) return 0;
  const bytes = readFileSync(logFile);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return 0;
  const keep = bytes.lastIndexOf(0x0a) + 1;
  truncateSync(logFile, keep);
  return bytes.length - keep;
}

/** LLaMA-Factory `dataset_info.json` entries for the alpaca exports (columns as in MAGIC's own file). */
export function llamaFactoryDatasetInfo(prefix = 'magic_attack_pool'): Record<string, unknown> {
  const columns = { prompt: 'instruction', query: 'input', response: 'output', system: 'system' };
  return Object.fromEntries(
    splitNames.map((split) => [`${prefix}_${split}`, { file_name: `${split}.alpaca.json`, columns }]),
  );
}

function finishPool(
  config: BuildConfig,
  seedsIn: number,
  duplicateSeeds: number,
  built: number,
  resumed: number,
  failures: BuildFailure[],
  fixedSplits: ReadonlyMap<string, Split>,
): BuildReport {
  const logFile = join(config.outDir, 'records.jsonl');
  const all = readAttackRecords(logFile);
  const { records, dropped } = dedupRecords(all);
  const ratios: SplitRatios = config.splitRatios;
  const splitOf = (r: AttackRecord): Split =>
    fixedSplits.get(r.seedId) ?? splitOfSeed(r.seedId, ratios, config.splitSalt);
  const files: Record<string, string> = { records: logFile };
  for (const split of splitNames) {
    const part = records.filter((r) => splitOf(r) === split);
    const file = join(config.outDir, `${split}.jsonl${config.gzip ? '.gz' : ''}`);
    writeAttackRecords(file, part);
    files[split] = file;
    if (config.exports.includes('alpaca')) {
      files[`${split}.alpaca`] = join(config.outDir, `${split}.alpaca.json`);
      writeFileSync(defined(files[`${split}.alpaca`], 'files entry'), toAlpacaJson(part));
    }
    if (config.exports.includes('chat')) {
      files[`${split}.chat`] = join(config.outDir, `${split}.chat.jsonl`);
      writeFileSync(defined(files[`${split}.chat`], 'files entry'), toChatJsonl(part));
    }
  }
  if (config.exports.includes('alpaca')) {
    files.datasetInfo = join(config.outDir, 'dataset_info.json');
    writeFileSync(files.datasetInfo, `${JSON.stringify(llamaFactoryDatasetInfo(), null, 2)}\n`);
  }
  const stats = computePoolStats(records, splitOf);
  const report: BuildReport = {
    stats,
    seedsIn,
    duplicateSeeds,
    built,
    resumed,
    duplicateRecords: dropped,
    failures,
    files,
  };
  files.stats = join(config.outDir, 'stats.json');
  writeFileSync(files.stats, `${JSON.stringify({ ...report, files: undefined }, null, 2)}\n`);
  return report;
}
