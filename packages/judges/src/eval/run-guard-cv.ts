import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSeedSplit, type StrategyId, strategyIds } from '@magic/attack-pool';
import { at } from '@magic/core';
import { GuardEvalError } from '../errors.js';
import { expandResponseRows, fnv1a, type GuardExample, type GuardTask, readGuardExamples } from '../local/dataset.js';
import type { Guard } from '../types.js';
import { GUARD_CV_FORMAT, type GuardCvReport, guardCvTargets } from './cv-report.js';
import { assignFamilies, loadFamilyMap } from './families.js';
import {
  capRowsPerFamily,
  type FamilyScore,
  type FoldSummary,
  guardTasks,
  runFamilyCv,
  type TaskCounts,
} from './family-cv.js';
import { runLoso, type StrategyScore } from './loso.js';
import { type LabelMetrics, labelMetrics } from './metrics.js';
import { type ControversialAs, predictExamples } from './predict.js';
import type { GuardRecipe } from './recipe.js';

/** Reads `prompt.jsonl[.gz]` and `response.jsonl[.gz]` of each folder (response rows expanded). */
export function loadGuardCorpus(dirs: readonly string[]): GuardExample[] {
  const out: GuardExample[] = [];
  for (const dir of dirs) {
    for (const name of ['prompt', 'response']) {
      const file = [`${name}.jsonl`, `${name}.jsonl.gz`].map((f) => join(dir, f)).find(existsSync);
      if (file === undefined) throw new GuardEvalError(dir, `no ${name}.jsonl or ${name}.jsonl.gz`);
      const rows = readGuardExamples(file);
      out.push(...(name === 'response' ? expandResponseRows(rows) : rows));
    }
  }
  return out;
}

export interface RunGuardCvOptions {
  /** Folders of labelled rows: the guard's training data first (LOSO's base), then the CV-only sources. */
  dataDirs: readonly string[];
  familyMapFile: string;
  /** How the report names the family map (default: `familyMapFile`). */
  familyMapName?: string;
  recipe: GuardRecipe;
  seed?: number;
  bootstrap?: number;
  /** Cap per family and label (a quick run); unset = all rows. */
  maxRowsPerFamily?: number;
  controversialAs?: ControversialAs;
  concurrency?: number;
  /** Leave-one-strategy-out settings; false skips it. */
  loso?:
    | false
    | { strategies?: readonly StrategyId[]; seedsFile?: string; maxSeeds?: number; rewritesPerSeed?: number };
  /**
   * An already trained guard (the shipped one) to score, unchanged, on every family that has no source in the
   * first data folder (its training data): how it does on upstream families it never saw.
   */
  reference?: { name: string; guard: Guard };
  onFold?: (fold: FoldSummary) => void;
  onStrategy?: (score: StrategyScore) => void;
}

/** At most `max` seeds, half of each data type, picked by a seeded hash (all when `max` is unset). */
export function capSeeds<T extends { id: string; dataType: string }>(
  seeds: T[],
  max: number | undefined,
  seed: number,
): T[] {
  if (max === undefined) return seeds;
  const types = [...new Set(seeds.map((s) => s.dataType))];
  const per = Math.ceil(max / Math.max(1, types.length));
  const rank = (s: T) => fnv1a(`${seed}:${s.id}`);
  const keep = new Set(
    types.flatMap((t) =>
      seeds
        .filter((s) => s.dataType === t)
        .sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id))
        .slice(0, per),
    ),
  );
  return seeds.filter((s) => keep.has(s));
}

function counts(rows: readonly GuardExample[], positive: boolean): TaskCounts {
  const out: TaskCounts = { prompt: 0, refusal: 0, response: 0 };
  for (const r of rows) if (!positive || r.label === 1) out[r.task] += 1;
  return out;
}

/**
 * Scores a fixed guard, as given, on every family that has no source in the first data folder (its training
 * data), pooled and per family.
 */
export async function scoreReference(
  reference: { name: string; guard: Guard },
  rows: readonly GuardExample[],
  families: readonly string[],
  options: Pick<RunGuardCvOptions, 'dataDirs' | 'concurrency' | 'controversialAs'>,
  metric: { seed: number; bootstrap: number },
): Promise<NonNullable<GuardCvReport['reference']>> {
  const names = [...new Set(families)].sort();
  const trainingSources = new Set(loadGuardCorpus(options.dataDirs.slice(0, 1)).map((r) => r.source));
  const unseen = names.filter((f) => rows.every((r, i) => families[i] !== f || !trainingSources.has(r.source)));
  const selected = rows.flatMap((row, i) => {
    const family = at(families, i, 'families');
    return unseen.includes(family) ? [{ row, family }] : [];
  });
  const predicted = await predictExamples(
    reference.guard,
    selected.map(({ row }) => row),
    { concurrency: options.concurrency, controversialAs: options.controversialAs },
  );
  const scored = selected.map(({ row, family }, k) => ({
    row,
    family,
    item: {
      predicted: at(predicted, k, 'reference predictions'),
      label: row.label,
      cluster: `${family}\u0000${row.group}`,
    },
  }));
  const pick = (keep: (s: (typeof scored)[number]) => boolean) => scored.filter(keep).map((s) => s.item);
  const pooled = {} as Record<GuardTask, LabelMetrics>;
  for (const task of guardTasks)
    pooled[task] = labelMetrics(
      pick((s) => s.row.task === task),
      metric,
    );
  const perFamily: FamilyScore[] = [];
  for (const family of unseen)
    for (const task of guardTasks) {
      const items = pick((s) => s.row.task === task && s.family === family);
      if (items.length === 0) continue;
      const bothClasses = new Set(items.map((x) => x.label)).size === 2;
      perFamily.push({ family, task, bothClasses, metrics: labelMetrics(items, metric) });
    }
  return { name: reference.name, families: unseen, pooled, perFamily };
}

/** Family-fold cross-validation plus leave-one-strategy-out, as one report (`writeGuardCvReport` saves it). */
export async function runGuardCv(options: RunGuardCvOptions): Promise<GuardCvReport> {
  const started = performance.now();
  const seed = options.seed ?? 1234;
  const bootstrap = options.bootstrap ?? 1000;
  const map = loadFamilyMap(options.familyMapFile);
  const corpus = loadGuardCorpus(options.dataDirs);
  let rows = corpus;
  let families = assignFamilies(corpus, map);
  if (options.maxRowsPerFamily !== undefined)
    ({ rows, families } = capRowsPerFamily(corpus, families, options.maxRowsPerFamily, seed));
  const familyCv = await runFamilyCv({
    rows,
    families,
    recipe: options.recipe,
    seed,
    bootstrap,
    concurrency: options.concurrency,
    controversialAs: options.controversialAs,
    onFold: options.onFold,
  });
  let loso: GuardCvReport['loso'] = null;
  if (options.loso !== false) {
    const l = options.loso ?? {};
    const seeds = capSeeds(loadSeedSplit({ split: 'train', file: l.seedsFile }), l.maxSeeds, seed);
    const seedGroups = new Set(seeds.map((s) => `seed:${s.id}`));
    // Base: the guard's own training data (the first folder) minus the shipped pool's rewrites, which LOSO
    // rebuilds per fold without the held-out strategy; seed groups outside the chosen seeds are left out.
    const baseRows = loadGuardCorpus(options.dataDirs.slice(0, 1)).filter(
      (r) => !r.source.startsWith('pool-') && (!r.group.startsWith('seed:') || seedGroups.has(r.group)),
    );
    loso = await runLoso({
      baseRows,
      seeds,
      strategies: l.strategies ?? strategyIds,
      recipe: options.recipe,
      rewritesPerSeed: l.rewritesPerSeed,
      seed,
      bootstrap,
      concurrency: options.concurrency,
      controversialAs: options.controversialAs,
      onStrategy: options.onStrategy,
    });
  }
  const names = [...new Set(families)].sort();
  const reference =
    options.reference === undefined
      ? null
      : await scoreReference(options.reference, rows, families, options, { seed, bootstrap });
  return {
    format: GUARD_CV_FORMAT,
    guard: options.recipe.name,
    settings: {
      seed,
      bootstrap,
      maxRowsPerFamily: options.maxRowsPerFamily ?? null,
      controversialAs: options.controversialAs ?? 'safe',
      familyMap: options.familyMapName ?? options.familyMapFile,
    },
    corpus: {
      rows: counts(rows, false),
      families: names.map((family) => {
        const sub = rows.filter((_, i) => families[i] === family);
        return { family, rows: counts(sub, false), positives: counts(sub, true) };
      }),
    },
    familyCv,
    loso,
    reference,
    targets: guardCvTargets,
    wallSeconds: (performance.now() - started) / 1000,
  };
}
