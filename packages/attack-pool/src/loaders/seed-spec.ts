import { at, defined } from '@magic/core';
import type { FieldMapping } from '../datasets/generic.js';
import { AttackPoolConfigError } from '../errors.js';
import type { DataType, SeedRecord } from '../schemas.js';
import { loadSeedSplit } from '../seed-split.js';
import {
  loadAdvBenchCsv,
  loadGenericSeeds,
  loadHarmBenchCsv,
  loadJbbBehaviorsCsv,
  loadOrBenchCsv,
  loadRefusalDirectionJson,
  loadSelfInstructJsonl,
  loadSorryBenchJsonl,
  loadStrongRejectCsv,
  loadWildJailbreak,
  loadXsTestCsv,
} from './loaders.js';

export const seedFormats = [
  'harmbench',
  'advbench',
  'jbb-harmful',
  'jbb-benign',
  'xstest',
  'xstest-safe',
  'wildjailbreak-harmful',
  'wildjailbreak-benign',
  'wildjailbreak',
  'refusal-direction',
  'strongreject',
  'or-bench',
  'or-bench-toxic',
  'sorry-bench',
  'generic',
  'seed-split',
  'self-instruct',
] as const;
export type SeedFormat = (typeof seedFormats)[number];

/** `format:path[?text=col&id=col&category=col&dataType=col|vanilla_benign&limit=N&sample=N]` as given to `--seeds`. */
export interface SeedSpec {
  format: SeedFormat;
  path: string;
  mapping?: FieldMapping;
  dataType?: DataType;
  limit?: number;
  /** Keep N rows evenly spread over the file (deterministic), e.g. to cover every category. */
  sample?: number;
}

export function parseSeedSpec(spec: string): SeedSpec {
  const colon = spec.indexOf(':');
  if (colon <= 0) throw new AttackPoolConfigError('--seeds', `'${spec}' is not format:path`);
  const format = spec.slice(0, colon);
  if (!(seedFormats as readonly string[]).includes(format)) {
    throw new AttackPoolConfigError('--seeds', `unknown format '${format}' (one of ${seedFormats.join(', ')})`);
  }
  const [path, query] = spec.slice(colon + 1).split('?', 2) as [string, string | undefined];
  const params = new URLSearchParams(query ?? '');
  const out: SeedSpec = { format: format as SeedFormat, path };
  for (const key of ['limit', 'sample'] as const) {
    const value = params.get(key);
    if (value === null) continue;
    if (!/^\d+$/.test(value)) throw new AttackPoolConfigError('--seeds', `${key} '${value}' is not a count`);
    out[key] = Number(value);
  }
  const dataType = params.get('dataType');
  if (dataType === 'vanilla_harmful' || dataType === 'vanilla_benign') out.dataType = dataType;
  const text = params.get('text');
  if (format === 'generic') {
    if (!text) throw new AttackPoolConfigError('--seeds', 'generic seeds need ?text=<column>');
    out.mapping = { text };
    for (const key of ['id', 'category'] as const) {
      const v = params.get(key);
      if (v) out.mapping[key] = v;
    }
    if (dataType && !out.dataType) out.mapping.dataType = dataType;
  }
  return out;
}

/** Loads the seeds named by a spec (string or parsed). `limit` keeps the first N rows. */
export async function loadSeedSpec(input: string | SeedSpec): Promise<SeedRecord[]> {
  const spec = typeof input === 'string' ? parseSeedSpec(input) : input;
  const seeds = await loadByFormat(spec);
  const sampled = spec.sample === undefined ? seeds : evenSample(seeds, spec.sample);
  return spec.limit === undefined ? sampled : sampled.slice(0, spec.limit);
}

/** N items at evenly spaced positions (all of them when N >= length). */
export function evenSample<T>(items: readonly T[], n: number): T[] {
  if (n >= items.length) return [...items];
  return Array.from({ length: n }, (_, i) => at(items, Math.floor((i * items.length) / n), 'items'));
}

async function loadByFormat(spec: SeedSpec): Promise<SeedRecord[]> {
  const { path } = spec;
  switch (spec.format) {
    case 'harmbench':
      return loadHarmBenchCsv(path);
    case 'advbench':
      return loadAdvBenchCsv(path);
    case 'jbb-harmful':
      return loadJbbBehaviorsCsv(path, { dataType: 'vanilla_harmful' });
    case 'jbb-benign':
      return loadJbbBehaviorsCsv(path, { dataType: 'vanilla_benign' });
    case 'xstest':
      return loadXsTestCsv(path);
    case 'xstest-safe':
      return loadXsTestCsv(path, { labels: ['safe'] });
    case 'wildjailbreak-harmful':
      return loadWildJailbreak(path, { dataType: 'vanilla_harmful' });
    case 'wildjailbreak-benign':
      return loadWildJailbreak(path, { dataType: 'vanilla_benign' });
    case 'wildjailbreak':
      return loadWildJailbreak(path, spec.dataType ? { dataType: spec.dataType } : {});
    case 'refusal-direction':
      return loadRefusalDirectionJson(path, spec.dataType ? { dataType: spec.dataType } : {});
    case 'strongreject':
      return loadStrongRejectCsv(path);
    case 'or-bench':
      return loadOrBenchCsv(path);
    case 'or-bench-toxic':
      return loadOrBenchCsv(path, { dataType: 'vanilla_harmful' });
    case 'sorry-bench':
      return loadSorryBenchJsonl(path);
    case 'self-instruct':
      return loadSelfInstructJsonl(path);
    case 'seed-split':
      // Each seed keeps its split in meta, so the builder puts all its rewrites in that split.
      return loadSeedSplit({ file: path }).map(({ split, ...s }) => ({ ...s, meta: { ...s.meta, split } }));
    case 'generic':
      return loadGenericSeeds(path, {
        mapping: defined(spec.mapping, 'spec.mapping'),
        ...(spec.dataType ? { dataType: spec.dataType } : {}),
      });
  }
}
