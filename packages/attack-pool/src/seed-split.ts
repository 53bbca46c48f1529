import { readFileSync } from 'node:fs';
import { at } from '@magic/core';
import { z } from 'zod';
import { dataDir } from './data-dir.js';
import { SeedLoadError } from './errors.js';
import { unitHash } from './hash.js';
import { normaliseText } from './overlap/normalise.js';
import { type DataType, seedRecordSchema } from './schemas.js';
import { nearDuplicateClusters } from './seed-clusters.js';

export const seedSplitNames = ['train', 'val'] as const;
export const seedSplitSchema = z.enum(seedSplitNames);
export type SeedSplit = z.output<typeof seedSplitSchema>;

/** Share of seeds held out for validation (by hash, so about this share); the harmful share and the default. */
export const VAL_SEED_SHARE = 0.35;

/**
 * Validation share per data type. Harmful 0.35 keeps ≥ 100 held-out harmful seeds (harmful_vanilla); benign needs
 * fewer (benign_adversarial is ≥ 40 val seeds × 20 strategies), so 0.15 leaves ≥ 300 benign training seeds.
 */
export const VAL_SEED_SHARES: Readonly<Record<DataType, number>> = {
  vanilla_harmful: VAL_SEED_SHARE,
  vanilla_benign: 0.15,
};

/**
 * The split a text's hash picks: a stable hash of its normalised text (whatever its id or casing). Seeds are
 * split by {@link clusterSeedSplits}, which applies this to the smallest text of each near-duplicate cluster.
 */
export function seedSplitOf(text: string, valShare = VAL_SEED_SHARE): SeedSplit {
  return unitHash(`magic-seed-split/v1:${normaliseText(text)}`) < valShare ? 'val' : 'train';
}

/**
 * The split of each seed text, cluster-aware: near-duplicates (`nearDuplicateClusters`, the overlap check's
 * method) form one cluster and the whole cluster goes to the split `seedSplitOf` gives its lexicographically
 * smallest normalised member, so no validation seed has a near-copy in training and the split stays
 * deterministic (independent of order and ids). Every pool rewrite of a seed follows its split.
 */
export function clusterSeedSplits(texts: readonly string[], valShare = VAL_SEED_SHARE): SeedSplit[] {
  const out: SeedSplit[] = texts.map(() => 'train');
  for (const cluster of nearDuplicateClusters(texts)) {
    const key = at(cluster.map((i) => normaliseText(at(texts, i, 'texts'))).sort(), 0, 'sort');
    const split = seedSplitOf(key, valShare);
    for (const i of cluster) out[i] = split;
  }
  return out;
}

/**
 * The split of each seed, cluster-aware within its data type ({@link clusterSeedSplits} per type) with that
 * type's share from `shares` ({@link VAL_SEED_SHARES}). This is the rule the shipped clean seeds follow.
 */
export function seedSplitsByType(
  seeds: readonly { text: string; dataType: DataType }[],
  shares: Readonly<Record<DataType, number>> = VAL_SEED_SHARES,
): SeedSplit[] {
  const out: SeedSplit[] = seeds.map(() => 'train');
  for (const dataType of Object.keys(shares) as DataType[]) {
    const idx = seeds.flatMap((s, i) => (s.dataType === dataType ? [i] : []));
    const splits = clusterSeedSplits(
      idx.map((i) => at(seeds, i, 'seeds').text),
      shares[dataType],
    );
    idx.forEach((i, k) => {
      out[i] = at(splits, k, 'splits');
    });
  }
  return out;
}

/** A clean training seed with its split (one row of `data/seeds/clean/seeds.jsonl`). */
export const splitSeedRecordSchema = seedRecordSchema.extend({ split: seedSplitSchema });
export type SplitSeedRecord = z.output<typeof splitSeedRecordSchema>;

export interface LoadSeedSplitOptions {
  /** One split, or both when omitted. */
  split?: SeedSplit;
  dataType?: DataType;
  /** A file in the same format; defaults to the shipped clean seeds. */
  file?: string;
}

/** Path of the shipped clean seeds (AdvBench harmful + Self-Instruct benign, eval overlap removed). */
export function cleanSeedsFile(): string {
  return dataDir('seeds', 'clean', 'seeds.jsonl');
}

/**
 * The clean training seeds, split into `train` (RL seeds, pool train split) and `val` (held out for
 * validation). Records carry `id`, `text`, `dataType`, `category`, `source` and `split`.
 */
export function loadSeedSplit(options: LoadSeedSplitOptions = {}): SplitSeedRecord[] {
  const file = options.file ?? cleanSeedsFile();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new SeedLoadError({ file, reason: `cannot read file (${(cause as Error).message})`, cause });
  }
  const out: SplitSeedRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (cause) {
      throw new SeedLoadError({ file, line: i + 1, reason: 'invalid JSON', cause });
    }
    const r = splitSeedRecordSchema.safeParse(raw);
    if (!r.success) {
      const issue = at(r.error.issues, 0, 'issues');
      throw new SeedLoadError({ file, line: i + 1, field: issue.path.join('.'), reason: issue.message });
    }
    if (options.split !== undefined && r.data.split !== options.split) return;
    if (options.dataType !== undefined && r.data.dataType !== options.dataType) return;
    out.push(r.data);
  });
  return out;
}
