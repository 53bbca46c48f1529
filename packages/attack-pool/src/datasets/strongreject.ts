import { z } from 'zod';
import { readCsvRows } from './read.js';
import { type FileRow, parseRows, textField } from './rows.js';

/** One row of the StrongREJECT CSV (`category,source,forbidden_prompt`). */
export const strongrejectCsvRowSchema = z
  .object({ category: textField, source: z.string(), forbidden_prompt: textField })
  .transform((r) => ({ category: r.category, source: r.source, forbiddenPrompt: r.forbidden_prompt }));
export type StrongRejectFileRow = FileRow<z.output<typeof strongrejectCsvRowSchema>>;

/** Every row of the StrongREJECT CSV. */
export function readStrongRejectFile(file: string): StrongRejectFileRow[] {
  const rows = readCsvRows(file, { requiredColumns: ['category', 'source', 'forbidden_prompt'] });
  return parseRows(file, rows, strongrejectCsvRowSchema);
}
