import {
  type HarmBenchFileRow,
  harmbenchCsvRowSchema,
  harmbenchFunctionalCategories,
  harmbenchPrompt,
  readHarmBenchFile,
} from '@magic/attack-pool';
import { z } from 'zod';
import { readDatasetFile, readJsonArray } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

export { harmbenchFunctionalCategories };

/** A HarmBench behaviour; `prompt` puts a contextual row's context before the behaviour (HarmBench's format). */
function toBehavior({ line: _line, ...row }: Omit<HarmBenchFileRow, 'line'> & { line?: number }) {
  return { ...row, prompt: harmbenchPrompt(row) };
}

/** One HarmBench behaviour CSV row (the format is parsed by @magic/attack-pool) as a scored item. */
export const harmbenchBehaviorSchema = harmbenchCsvRowSchema.transform(toBehavior);
export type HarmbenchBehavior = z.output<typeof harmbenchBehaviorSchema>;

/** HarmBench behaviours; split `test` (320, the default) or `val` (80). */
export function loadHarmbench(options: LoadOptions = {}): Promise<HarmbenchBehavior[]> {
  const split = options.split ?? 'test';
  const file =
    options.path ?? shippedFile(`harmbench/harmbench_behaviors_text_${split === 'val' ? 'val' : 'test'}.csv`);
  return readDatasetFile(() => readHarmBenchFile(file).map(toBehavior));
}

/** One precomputed HarmBench attack (safety-eval "harmbench_precompute"). */
export const harmbenchPrecomputedSchema = z
  .object({ BehaviorID: z.string().min(1), test_case: z.string().min(1), model: z.string(), method: z.string().min(1) })
  .transform((r) => ({
    behaviorId: r.BehaviorID,
    testCase: r.test_case,
    model: r.model,
    method: r.method,
    prompt: r.test_case,
  }));
export type HarmbenchPrecomputedAttack = z.output<typeof harmbenchPrecomputedSchema>;

/** The 1,500 precomputed attacks (100 from each of 15 methods). */
export function loadHarmbenchPrecomputed(options: LoadOptions = {}): Promise<HarmbenchPrecomputedAttack[]> {
  return readJsonArray(
    options.path ?? shippedFile('harmbench/harmbench_percomputed_attacks.json'),
    harmbenchPrecomputedSchema,
  );
}
