import { z } from 'zod';
import { readCsvRows, readJsonArrayRows } from './read.js';
import { type FileRow, parseRows, textField } from './rows.js';

/** XSTest's safe/unsafe label (unsafe: the contrast prompts). */
export type XsTestLabel = 'safe' | 'unsafe';

/** One row of the upstream XSTest v2 CSV (`id,prompt,type,label,focus,note`). */
export const xstestCsvRowSchema = z.object({
  id: textField,
  prompt: textField,
  type: textField,
  label: z.enum(['safe', 'unsafe']),
  focus: z.string(),
  note: z.string(),
});

/** One element of safety-eval's XSTest JSON: no label column, `contrast_*` types are the unsafe prompts. */
export const xstestJsonRowSchema = z
  .object({
    id: z.union([z.string(), z.number()]),
    type: textField,
    prompt: textField,
    focus: z.string(),
    note: z.string(),
  })
  .transform((r) => ({
    id: String(r.id),
    prompt: r.prompt,
    type: r.type,
    label: (r.type.startsWith('contrast_') ? 'unsafe' : 'safe') as XsTestLabel,
    focus: r.focus,
    note: r.note,
  }));
export type XsTestFileRow = FileRow<z.output<typeof xstestCsvRowSchema>>;

/** Every XSTest prompt of the upstream CSV (`.csv`) or safety-eval's JSON array (any other extension). */
export function readXsTestFile(file: string): XsTestFileRow[] {
  if (file.endsWith('.csv')) {
    const rows = readCsvRows(file, { requiredColumns: ['id', 'prompt', 'type', 'label'] });
    return parseRows(file, rows, xstestCsvRowSchema);
  }
  return parseRows(file, readJsonArrayRows(file), xstestJsonRowSchema);
}
