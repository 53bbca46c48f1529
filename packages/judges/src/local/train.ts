import { join } from 'node:path';
import { expandResponseRows, type GuardExample, type GuardTask, readGuardExamples, splitByGroup } from './dataset.js';
import { defaultFeatureOptions, type FeatureOptions } from './features.js';
import { type BinaryMetrics, binaryMetrics, trainLogistic } from './logistic.js';
import { type LocalGuardModel, scoreTask, taskFeatures } from './model.js';

export interface TrainLocalGuardOptions {
  dataDir: string;
  seed?: number;
  epochs?: number;
  learningRate?: number;
  l2?: number;
  validationPercent?: number;
  features?: FeatureOptions;
  /** Use at most this many training rows per task (for fast tests). */
  limitPerTask?: number;
}

export interface TrainLocalGuardResult {
  model: LocalGuardModel;
  validation: Record<GuardTask, BinaryMetrics>;
  /** Validation metrics per task and source (accuracy is the informative number for single-label sources). */
  bySource: Record<string, BinaryMetrics>;
  counts: Record<string, number>;
}

const tasks: GuardTask[] = ['prompt', 'refusal', 'response'];

export function loadTrainingExamples(dataDir: string): GuardExample[] {
  return [
    ...readGuardExamples(join(dataDir, 'prompt.jsonl')),
    ...expandResponseRows(readGuardExamples(join(dataDir, 'response.jsonl'))),
  ];
}

export type TrainHeadsOptions = Omit<TrainLocalGuardOptions, 'dataDir' | 'validationPercent'>;

/** Trains the three heads on `rows` (all of them: no validation split); a task without rows gets a zero head. */
export function trainLocalGuardHeads(rows: readonly GuardExample[], options: TrainHeadsOptions = {}): LocalGuardModel {
  const seed = options.seed ?? 1234;
  const features = options.features ?? defaultFeatureOptions;
  const heads = {} as LocalGuardModel['heads'];
  for (const task of tasks) {
    const taskRows = rows.filter((r) => r.task === task).slice(0, options.limitPerTask ?? Number.POSITIVE_INFINITY);
    const xs = taskRows.map((r) => taskFeatures(task, r.prompt ?? '', r.text, features));
    heads[task] = trainLogistic(
      xs,
      taskRows.map((r) => r.label),
      {
        dims: features.dims,
        epochs: options.epochs ?? 6,
        learningRate: options.learningRate ?? 0.2,
        l2: options.l2 ?? 1e-6,
        seed,
      },
    );
  }
  return { features, thresholds: { prompt: 0.5, refusal: 0.5, response: 0.5 }, heads };
}

/** Trains the three heads on the repo's copies and evaluates each on a held-out split by source group. */
export function trainLocalGuard(options: TrainLocalGuardOptions): TrainLocalGuardResult {
  const seed = options.seed ?? 1234;
  const all = loadTrainingExamples(options.dataDir);
  const { train, validation } = splitByGroup(all, options.validationPercent ?? 20, seed);
  const counts: Record<string, number> = {};
  for (const task of tasks) {
    counts[`${task}/train`] = Math.min(
      train.filter((r) => r.task === task).length,
      options.limitPerTask ?? Number.POSITIVE_INFINITY,
    );
    counts[`${task}/validation`] = validation.filter((r) => r.task === task).length;
  }
  const model = trainLocalGuardHeads(train, { ...options, seed });
  return { model, validation: evaluate(model, validation), bySource: evaluateBySource(model, validation), counts };
}

export function evaluate(model: LocalGuardModel, rows: GuardExample[]): Record<GuardTask, BinaryMetrics> {
  const out = {} as Record<GuardTask, BinaryMetrics>;
  for (const task of tasks) {
    const taskRows = rows.filter((r) => r.task === task);
    const predicted = taskRows.map(
      (r) => (scoreTask(model, task, r.prompt ?? '', r.text) >= model.thresholds[task] ? 1 : 0) as 0 | 1,
    );
    out[task] = binaryMetrics(
      predicted,
      taskRows.map((r) => r.label),
    );
  }
  return out;
}

export function evaluateBySource(model: LocalGuardModel, rows: GuardExample[]): Record<string, BinaryMetrics> {
  const out: Record<string, BinaryMetrics> = {};
  const keys = [...new Set(rows.map((r) => `${r.task}/${r.source}`))].sort();
  for (const key of keys) {
    const subset = rows.filter((r) => `${r.task}/${r.source}` === key);
    const predicted = subset.map(
      (r) => (scoreTask(model, r.task, r.prompt ?? '', r.text) >= model.thresholds[r.task] ? 1 : 0) as 0 | 1,
    );
    out[key] = binaryMetrics(
      predicted,
      subset.map((r) => r.label),
    );
  }
  return out;
}
