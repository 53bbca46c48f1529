import { z } from 'zod';
import { readCsv, readJsonArray } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

export const harmbenchFunctionalCategories = ['standard', 'contextual', 'copyright'] as const;

/** One HarmBench behaviour CSV row; `prompt` puts a contextual row's context before the behaviour (HarmBench's format). */
export const harmbenchBehaviorSchema = z
  .object({
    Behavior: z.string().min(1),
    FunctionalCategory: z.enum(harmbenchFunctionalCategories),
    SemanticCategory: z.string().min(1),
    Tags: z.string(),
    ContextString: z.string(),
    BehaviorID: z.string().min(1),
  })
  .transform((r) => ({
    behavior: r.Behavior,
    functionalCategory: r.FunctionalCategory,
    semanticCategory: r.SemanticCategory,
    tags: r.Tags === '' ? [] : r.Tags.split(',').map((t) => t.trim()),
    contextString: r.ContextString,
    behaviorId: r.BehaviorID,
    prompt: r.ContextString === '' ? r.Behavior : `${r.ContextString}\n\n---\n\n${r.Behavior}`,
  }));
export type HarmbenchBehavior = z.output<typeof harmbenchBehaviorSchema>;

/** HarmBench behaviours; split `test` (320, the default) or `val` (80). */
export function loadHarmbench(options: LoadOptions = {}): Promise<HarmbenchBehavior[]> {
  const split = options.split ?? 'test';
  const file =
    options.path ?? shippedFile(`harmbench/harmbench_behaviors_text_${split === 'val' ? 'val' : 'test'}.csv`);
  return readCsv(file, harmbenchBehaviorSchema, { columns: true });
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
