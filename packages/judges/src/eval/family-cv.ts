import { distinctEvalTexts, dropEvalOverlap, findOverlap, TrainingIndex } from '@magic/attack-pool';
import { GuardEvalError } from '../errors.js';
import { fnv1a, type GuardExample, type GuardTask } from '../local/dataset.js';
import { rowTexts } from './families.js';
import { type LabelMetrics, labelMetrics, type ScoredItem } from './metrics.js';
import { type ControversialAs, predictExamples } from './predict.js';
import type { GuardRecipe } from './recipe.js';

export const guardTasks: readonly GuardTask[] = ['prompt', 'refusal', 'response'];

export type TaskCounts = Record<GuardTask, number>;

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
  const order = rows.map((_, i) => i);
  const key = (i: number) => fnv1a(`${seed}:${rows[i]!.group}:${rows[i]!.text}`);
  order.sort((a, b) => key(a) - key(b) || a - b);
  const taken = new Map<string, number>();
  const keep = new Set<number>();
  for (const i of order) {
    const k = `${families[i]}\u0000${rows[i]!.task}`;
    const n = taken.get(k) ?? 0;
    if (n >= perTask) continue;
    taken.set(k, n + 1);
    keep.add(i);
  }
  const idx = rows.map((_, i) => i).filter((i) => keep.has(i));
  return { rows: idx.map((i) => rows[i]!), families: idx.map((i) => families[i]!) };
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
  const familyOf = new Map<GuardExample, string>();
  rows.forEach((r, i) => {
    familyOf.set(r, families[i]!);
  });
  for (const family of names) {
    const started = performance.now();
    const testIdx = rows.flatMap((_, i) => (families[i] === family ? [i] : []));
    const test = testIdx.map((i) => rows[i]!);
    const trainAll = rows.filter((_, i) => families[i] !== family);
    const { kept, dropped, residualOverlap } = dropNearDuplicates(trainAll, test);
    const guard = await recipe.train(kept, { seed });
    const predicted = await predictExamples(guard, test, {
      concurrency: options.concurrency,
      controversialAs: options.controversialAs,
    });
    testIdx.forEach((i, k) => {
      predictions[i] = predicted[k]!;
    });
    const fold: FoldSummary = {
      family,
      trainFamilies: [...new Set(kept.map((r) => familyOf.get(r)!))].sort(),
      train: countTasks(kept),
      test: countTasks(test),
      droppedNearDuplicates: dropped,
      residualOverlap,
      seconds: (performance.now() - started) / 1000,
    };
    folds.push(fold);
    options.onFold?.(fold);
  }
  const item = (i: number): ScoredItem => ({
    predicted: predictions[i]!,
    label: rows[i]!.label,
    cluster: `${families[i]}\u0000${rows[i]!.group}`,
  });
  const metricOptions = { bootstrap: options.bootstrap, seed };
  const pooled = {} as Record<GuardTask, LabelMetrics>;
  for (const task of guardTasks) {
    const idx = rows.flatMap((r, i) => (r.task === task ? [i] : []));
    pooled[task] = labelMetrics(idx.map(item), metricOptions);
  }
  const perFamily: FamilyScore[] = [];
  for (const family of names) {
    for (const task of guardTasks) {
      const idx = rows.flatMap((r, i) => (r.task === task && families[i] === family ? [i] : []));
      if (idx.length === 0) continue;
      const labels = new Set(idx.map((i) => rows[i]!.label));
      perFamily.push({
        family,
        task,
        bothClasses: labels.size === 2,
        metrics: labelMetrics(idx.map(item), metricOptions),
      });
    }
  }
  return { folds, pooled, perFamily };
}
