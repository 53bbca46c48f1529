import { readCsvRows, readJsonArrayValues, readJsonlValues, readParquetRows, SeedLoadError } from '@magic/attack-pool';
import type { z } from 'zod';
import { BenchmarkFileError } from './errors.js';

/** Turns a zod failure on one row into a typed error naming file, line and field. */
export function validateRow<S extends z.ZodType>(schema: S, value: unknown, file: string, line: number): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  throw new BenchmarkFileError({ file, line, field, reason: issue?.message ?? 'invalid row' });
}

/**
 * Runs a reader of @magic/attack-pool's dataset stack (the formats both packages read are parsed there once);
 * its SeedLoadError becomes this package's BenchmarkFileError with the same file, line, field and reason.
 */
export async function readDatasetFile<T>(read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (!SeedLoadError.isInstance(e)) throw e;
    throw new BenchmarkFileError({ file: e.file, line: e.line, field: e.field, reason: e.reason, cause: e });
  }
}

export interface CsvOptions {
  /** true: first line is a header; an array: the column names of a header-less file. */
  columns: true | string[];
  /** Field delimiter; `,` unless given. */
  delimiter?: string;
}

// The readers below are @magic/attack-pool's (one dataset stack); this package adds its zod schema per row and
// its own error type.

/** Reads a CSV file and validates every record; a bad record names its line. */
export async function readCsv<S extends z.ZodType>(
  file: string,
  schema: S,
  options: CsvOptions,
): Promise<z.output<S>[]> {
  const columns = options.columns === true ? undefined : options.columns;
  const rows = await readDatasetFile(() => readCsvRows(file, { delimiter: options.delimiter, columns }));
  return rows.map((row) => validateRow(schema, row.fields, file, row.line));
}

/** Reads a JSON Lines file; a line that is not JSON or fails the schema names its line. */
export async function readJsonl<S extends z.ZodType>(
  file: string,
  schema: S,
  options: { allowNaN?: boolean } = {},
): Promise<z.output<S>[]> {
  const values = await readDatasetFile(() => readJsonlValues(file, options));
  return values.map(({ line, value }) => validateRow(schema, value, file, line));
}

/** Reads a JSON array file; an element failing the schema names the line where it starts. */
export async function readJsonArray<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>[]> {
  const values = await readDatasetFile(() => readJsonArrayValues(file));
  return values.map(({ line, value }) => validateRow(schema, value, file, line));
}

/** Reads a Parquet file; rows are validated like the text formats (line = row index + 1). */
export async function readParquet<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>[]> {
  const rows = await readDatasetFile(() => readParquetRows(file));
  return rows.map((row) => validateRow(schema, row.fields, file, row.line));
}
