import { distinctEvalTexts, dropEvalOverlap, findOverlap, TrainingIndex } from '@magic/attack-pool';
import { at, defined } from '@magic/core';
import { GuardEvalError } from '../errors.js';
import { fnv1a, type GuardExample, type GuardTask } from '../local/dataset.js';
import { rowTexts } from './families.js';
import { type LabelMetrics, labelMetrics, type ScoredItem } from './metrics.js';
import { type ControversialAs, predictExamples } from './predict.js';
import type { GuardRecipe } from './recipe.js';

export const guardTasks: readonly GuardTask[] = ['prompt', 'refusal', 'response'];

export type TaskCounts = Record<GuardTask, number>;

/** A row with its family and its position in the input. */
interface FamilyRow {
  row: GuardExample;
  family: string;
  index: number;
}

function countTasks(rows: readonly GuardExample[]): TaskCounts {
  const out: TaskCounts = { prompt: 0, refusal: 0, response: 0 };
  for (const r of rows) out[r.task] += 1;
  return out;
}

/**
 * Drops every training row that makes the overlap check fail against the test rows: the fidelity issue's
 * method (`dropEvalOverlap`: normalised exact match or >= 90% 8-gram containment, either direction), with the
 * test rows as the eval side. Returns the kept rows and how many test texts still hit them (always 0 unless
 * the method changes).
 */
export function dropNearDuplicates(
  train: readonly GuardExample[],
  test: readonly GuardExample[],
): { kept: GuardExample[]; dropped: number; residualOverlap: number } {
  const testTexts = distinctEvalTexts(test.flatMap((r) => rowTexts(r).map((text) => ({ text, source: 'test' }))));
  const { kept, dropped } = dropEvalOverlap(train, rowTexts, testTexts);
  const index = new TrainingIndex().addTexts(kept.flatMap(rowTexts));
  const residual = findOverlap(testTexts, index);
  return { kept, dropped: dropped.length, residualOverlap: residual.exact + residual.contained };
}

/** At most `perTask` rows per family and task, picked by a seeded hash of the group (so groups stay whole-ish). */
export function capRowsPerFamily<T extends GuardExample>(
  rows: readonly T[],
  families: readonly string[],
  perTask: number,
  seed: number,
): { rows: T[]; families: string[] } {
  const items = rows.map((row, index) => ({ row, family: at(families, index, 'families'), index }));
  const key = ({ row }: { row: T }) => fnv1a(`${seed}:${row.group}:${row.text}`);
  const order = [...items].sort((a, b) => key(a) - key(b) || a.index - b.index);
  const taken = new Map<string, number>();
  const keep = new Set<number>();
  for (const { row, family, index } of order) {
    const k = `${family}\u0000${row.task}`;
    const n = taken.get(k) ?? 0;
    if (n >= perTask) continue;
    taken.set(k, n + 1);
    keep.add(index);
  }
  const picked = items.filter(({ index }) => keep.has(index));
  return { rows: picked.map(({ row }) => row), families: picked.map(({ family }) => family) };
}

export interface FoldSummary {
  /** The held-out family (the whole test side of this fold). */
  family: string;
  /** Families that contributed training rows (never includes `family`). */
  trainFamilies: string[];
  train: TaskCounts;
  test: TaskCounts;
  /** Training rows dropped as near-duplicates of test rows. */
  droppedNearDuplicates: number;
  /** Test texts still found in the training side after dropping (must be 0). */
  residualOverlap: number;
  seconds: number;
}

export interface FamilyScore {
  family: string;
  task: GuardTask;
  /** Whether the family has both classes for this label; F1 means little otherwise (see accuracy). */
  bothClasses: boolean;
  metrics: LabelMetrics;
}

export interface FamilyCvResult {
  folds: FoldSummary[];
  /** Micro-averaged over every held-out prediction of every fold (each row is tested exactly once). */
  pooled: Record<GuardTask, LabelMetrics>;
  perFamily: FamilyScore[];
}

export interface FamilyCvOptions {
  /** Labelled rows, response rows already expanded into `response` and `refusal` rows. */
  rows: readonly GuardExample[];
  /** The family of each row (parallel to `rows`), e.g. from `assignFamilies`. */
  families: readonly string[];
  recipe: GuardRecipe;
  seed?: number;
  bootstrap?: number;
  concurrency?: number;
  controversialAs?: ControversialAs;
  onFold?: (fold: FoldSummary) => void;
}

/**
 * Leave-one-family-out cross-validation: per family, trains `recipe` on the other families' rows (minus
 * near-duplicates of the held-out rows) and predicts the held-out family through the `Guard` interface.
 */
export async function runFamilyCv(options: FamilyCvOptions): Promise<FamilyCvResult> {
  const { rows, families, recipe } = options;
  if (families.length !== rows.length)
    throw new GuardEvalError('runFamilyCv', `${families.length} families for ${rows.length} rows`, 'families');
  const seed = options.seed ?? 1234;
  const predictions: (0 | 1 | null)[] = rows.map(() => null);
  const folds: FoldSummary[] = [];
  const names = [...new Set(families)].sort();
  const items: FamilyRow[] = rows.map((row, index) => ({ row, family: at(families, index, 'families'), index }));
  const familyOf = new Map(items.map(({ row, family }) => [row, family]));
  for (const family of names) {
    const started = performance.now();
    const testItems = items.filter((it) => it.family === family);
    const test = testItems.map(({ row }) => row);
    const trainAll = rows.filter((_, i) => families[i] !== family);
    const { kept, dropped, residualOverlap } = dropNearDuplicates(trainAll, test);
    const guard = await recipe.train(kept, { seed });
    const predicted = await predictExamples(guard, test, {
      concurrency: options.concurrency,
      controversialAs: options.controversialAs,
    });
    for (const [k, { index }] of testItems.entries()) {
      predictions[index] = at(predicted, k, 'held-out predictions');
    }
    const fold: FoldSummary = {
      family,
      trainFamilies: [...new Set(kept.map((r) => defined(familyOf.get(r), 'family of a kept row')))].sort(),
      train: countTasks(kept),
      test: countTasks(test),
      droppedNearDuplicates: dropped,
      residualOverlap,
      seconds: (performance.now() - started) / 1000,
    };
    folds.push(fold);
    options.onFold?.(fold);
  }
  const item = ({ row, family, index }: FamilyRow): ScoredItem => ({
    predicted: at(predictions, index, 'predictions'),
    label: row.label,
    cluster: `${family}\u0000${row.group}`,
  });
  const metricOptions = { bootstrap: options.bootstrap, seed };
  const pooled = {} as Record<GuardTask, LabelMetrics>;
  for (const task of guardTasks) {
    pooled[task] = labelMetrics(items.filter((it) => it.row.task === task).map(item), metricOptions);
  }
  const perFamily: FamilyScore[] = [];
  for (const family of names) {
    for (const task of guardTasks) {
      const selected = items.filter((it) => it.row.task === task && it.family === family);
      if (selected.length === 0) continue;
      const labels = new Set(selected.map((it) => it.row.label));
      perFamily.push({
        family,
        task,
        bothClasses: labels.size === 2,
        metrics: labelMetrics(selected.map(item), metricOptions),
      });
    }
  }
  return { folds, pooled, perFamily };
}
