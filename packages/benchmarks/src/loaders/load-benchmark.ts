import { UnknownBenchmarkError } from '../errors.js';
import { loadAlpacaEval } from './alpaca-eval.js';
import { loadArc } from './arc.js';
import { loadCosafe } from './cosafe.js';
import { loadDan } from './dan.js';
import { loadGpqa } from './gpqa.js';
import { loadGsm8k } from './gsm8k.js';
import { loadGuardLabels } from './guard-labels.js';
import { loadHarmbench, loadHarmbenchPrecomputed } from './harmbench.js';
import { loadIfeval } from './ifeval.js';
import { loadJbb } from './jbb.js';
import { loadMmlu } from './mmlu.js';
import { loadMtBench } from './mt-bench.js';
import { loadOpenaiModeration } from './openai-moderation.js';
import { loadOrBench } from './or-bench.js';
import type { LoadOptions } from './paths.js';
import { loadSimpleSafetyTests } from './simple-safety-tests.js';
import { loadStrongreject } from './strongreject.js';
import { loadTruthfulqa } from './truthfulqa.js';
import { loadWildguardtest } from './wildguardtest.js';
import { loadWildjailbreak } from './wildjailbreak.js';
import { loadXstest } from './xstest.js';

/** Every benchmark by name, with its typed loader. */
export const benchmarkLoaders = {
  harmbench: loadHarmbench,
  harmbenchPrecomputed: loadHarmbenchPrecomputed,
  wildguardtest: loadWildguardtest,
  wildjailbreak: loadWildjailbreak,
  dan: loadDan,
  xstest: loadXstest,
  jbb: loadJbb,
  orBench: loadOrBench,
  strongreject: loadStrongreject,
  simpleSafetyTests: loadSimpleSafetyTests,
  openaiModeration: loadOpenaiModeration,
  guardLabels: loadGuardLabels,
  mmlu: loadMmlu,
  arc: loadArc,
  gsm8k: loadGsm8k,
  gpqa: loadGpqa,
  truthfulqa: loadTruthfulqa,
  ifeval: loadIfeval,
  mtBench: loadMtBench,
  alpacaEval: loadAlpacaEval,
  cosafe: loadCosafe,
} as const;

export type BenchmarkName = keyof typeof benchmarkLoaders;
export const benchmarkNames = Object.keys(benchmarkLoaders) as BenchmarkName[];
/** The validated row type of a benchmark. */
export type BenchmarkRow<N extends BenchmarkName> = Awaited<ReturnType<(typeof benchmarkLoaders)[N]>>[number];

/** Benchmarks whose data ships with this package (licence allows); the others need `path`. */
export const shippedBenchmarks: readonly BenchmarkName[] = [
  'harmbench',
  'harmbenchPrecomputed',
  'wildjailbreak',
  'dan',
  'xstest',
  'jbb',
  'mmlu',
  'arc',
  'gsm8k',
  'truthfulqa',
  'ifeval',
  'mtBench',
];

export function isBenchmarkName(name: string): name is BenchmarkName {
  return Object.hasOwn(benchmarkLoaders, name);
}

/** Loads the validated rows of a benchmark by name; `path` overrides the shipped copy, `split` picks a split. */
export async function loadBenchmark<N extends BenchmarkName>(
  name: N,
  options: LoadOptions = {},
): Promise<BenchmarkRow<N>[]> {
  if (!isBenchmarkName(name)) throw new UnknownBenchmarkError('benchmark', name, benchmarkNames);
  const loader = benchmarkLoaders[name] as (o: LoadOptions) => Promise<BenchmarkRow<N>[]>;
  return loader(options);
}
