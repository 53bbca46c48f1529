import { z } from 'zod';
import { readCsv } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

/** A JBB-Behaviors row (header names lower- or capitalised). */
export const jbbRowSchema = z
  .object({
    index: z.string().regex(/^\d+$/, 'index must be an integer').transform(Number),
    goal: z.string().min(1),
    target: z.string(),
    behavior: z.string().min(1),
    category: z.string().min(1),
    source: z.string(),
  })
  .transform((r) => ({ ...r, prompt: r.goal }));
export type JbbRow = z.output<typeof jbbRowSchema>;

const lowerKeys = z
  .record(z.string(), z.string())
  .transform((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v])));

/** JBB-Behaviors: split `harmful` (default) or `benign`, 100 rows each. */
export function loadJbb(options: LoadOptions = {}): Promise<JbbRow[]> {
  const split = options.split === 'benign' ? 'benign' : 'harmful';
  return readCsv(options.path ?? shippedFile(`jbb/${split}-behaviors.csv`), lowerKeys.pipe(jbbRowSchema), {
    columns: true,
  });
}
