import { z } from 'zod';
import { readCsv } from '../io.js';
import { type LoadOptions, requirePath } from './paths.js';

/** A StrongREJECT row; `prompt` is `forbidden_prompt`. */
export const strongrejectRowSchema = z
  .object({ category: z.string().min(1), source: z.string(), forbidden_prompt: z.string().min(1) })
  .transform((r) => ({
    category: r.category,
    source: r.source,
    forbiddenPrompt: r.forbidden_prompt,
    prompt: r.forbidden_prompt,
  }));
export type StrongrejectRow = z.output<typeof strongrejectRowSchema>;

/** StrongREJECT (313 rows; not shipped): `path` to strongreject_dataset.csv. */
export function loadStrongreject(options: LoadOptions = {}): Promise<StrongrejectRow[]> {
  const file = requirePath(
    'strongreject',
    options.path,
    'download strongreject_dataset.csv from github.com/dsbowen/strong_reject',
  );
  return readCsv(file, strongrejectRowSchema, { columns: true });
}
