import { z } from 'zod';
import { readCsv } from '../io.js';
import { type LoadOptions, requirePath } from './paths.js';

/** A SimpleSafetyTests row; `prompt` is `prompts_final`. */
export const simpleSafetyTestsRowSchema = z
  .object({
    id: z.string().min(1),
    harm_area: z.string().min(1),
    counter: z.coerce.number().int(),
    category: z.string().min(1),
    prompts_final: z.string().min(1),
  })
  .transform((r) => ({
    id: r.id,
    harmArea: r.harm_area,
    counter: r.counter,
    category: r.category,
    prompt: r.prompts_final,
  }));
export type SimpleSafetyTestsRow = z.output<typeof simpleSafetyTestsRowSchema>;

/** SimpleSafetyTests (100 prompts; not shipped): `path` to sst_test_cases.csv. */
export function loadSimpleSafetyTests(options: LoadOptions = {}): Promise<SimpleSafetyTestsRow[]> {
  const file = requirePath(
    'simpleSafetyTests',
    options.path,
    'download sst_test_cases.csv from HF Bertievidgen/SimpleSafetyTests',
  );
  return readCsv(file, simpleSafetyTestsRowSchema, { columns: true });
}
