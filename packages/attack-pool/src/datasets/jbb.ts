import { z } from 'zod';
import { readCsvRows } from './read.js';
import { type FileRow, lowerCaseKeys, parseRows, textField } from './rows.js';

/** One row of a JBB-Behaviors CSV (`index,goal,target,behavior,category,source`, header in any case). */
export const jbbBehaviorsCsvRowSchema = lowerCaseKeys.pipe(
  z.object({
    index: z.string().regex(/^\d+$/, 'index must be an integer').transform(Number),
    goal: textField,
    target: z.string(),
    behavior: textField,
    category: textField,
    source: z.string(),
  }),
);
export type JbbBehaviorsFileRow = FileRow<z.output<typeof jbbBehaviorsCsvRowSchema>>;

/** Every row of a JBB-Behaviors CSV (the harmful and benign files share the format). */
export function readJbbBehaviorsFile(file: string): JbbBehaviorsFileRow[] {
  return parseRows(file, readCsvRows(file), jbbBehaviorsCsvRowSchema);
}
