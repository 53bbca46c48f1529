import { z } from 'zod';
import { SeedLoadError } from '../errors.js';
import type { Row } from './read.js';

/** A parsed row of a dataset file, with the 1-based line where it is (the row number for Parquet). */
export type FileRow<T> = T & { line: number };

/** A required text field: a string that is not blank. */
export const textField = z
  .string()
  .refine((s) => s.trim() !== '', { message: 'missing or empty' })
  .describe('non-blank text');

/** An optional field: absent, null and '' are undefined; numbers are stringified (ids in JSON files). */
export const optionalTextField = z
  .union([z.string(), z.number(), z.bigint(), z.null()])
  .transform((v) => (v === null || v === '' ? undefined : String(v)))
  .optional();

/**
 * Validates every row with a zod schema; the first bad row throws a SeedLoadError naming file, line and field.
 * Nothing is skipped: the caller gets one parsed row per row of the file.
 */
export function parseRows<S extends z.ZodType<object>>(file: string, rows: Row[], schema: S): FileRow<z.output<S>>[] {
  return rows.map((row) => ({ ...parseRow(file, row, schema), line: row.line }));
}

export function parseRow<S extends z.ZodType>(file: string, row: Row, schema: S): z.output<S> {
  const parsed = schema.safeParse(row.fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  throw new SeedLoadError({ file, line: row.line, field, reason: issue?.message ?? 'invalid row' });
}

/** Header names lower-cased (JBB's files exist with `Goal` and `goal`). */
export const lowerCaseKeys = z
  .record(z.string(), z.unknown())
  .transform((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v])));

/** A required id: a non-blank string, or a number (JSON ids) as its decimal string. */
export const idField = z
  .union([z.string(), z.number(), z.bigint()])
  .transform((v) => String(v))
  .pipe(textField);
