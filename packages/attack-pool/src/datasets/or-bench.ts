import { z } from 'zod';
import { readCsvRows } from './read.js';
import { type FileRow, parseRows, textField } from './rows.js';

/** One row of an OR-Bench CSV (`prompt,category`; hard-1k, 80k and toxic share it). */
export const orBenchCsvRowSchema = z.object({ prompt: textField, category: textField });
export type OrBenchFileRow = FileRow<z.output<typeof orBenchCsvRowSchema>>;

/** Every row of an OR-Bench CSV. */
export function readOrBenchFile(file: string): OrBenchFileRow[] {
  const rows = readCsvRows(file, { requiredColumns: ['prompt', 'category'] });
  return parseRows(file, rows, orBenchCsvRowSchema);
}
