import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { SeedLoadError } from '@magic/attack-pool';
import { parse } from 'csv-parse';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
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

function wrapIoError(file: string, e: unknown): never {
  if (BenchmarkFileError.isInstance(e)) throw e;
  const reason = e instanceof Error ? e.message : String(e);
  throw new BenchmarkFileError({ file, reason: `cannot read: ${reason}`, cause: e });
}

export interface CsvOptions {
  /** true: first line is a header; an array: the column names of a header-less file. */
  columns: true | string[];
  /** Field delimiter; `,` unless given. */
  delimiter?: string;
}

/** Streams a CSV file (csv-parse) and validates every record; a bad record names its line. */
export async function readCsv<S extends z.ZodType>(
  file: string,
  schema: S,
  options: CsvOptions,
): Promise<z.output<S>[]> {
  const rows: z.output<S>[] = [];
  const parser = createReadStream(file).pipe(
    parse({
      columns: options.columns,
      delimiter: options.delimiter ?? ',',
      bom: true,
      info: true,
      skip_empty_lines: true,
    }),
  );
  try {
    for await (const item of parser as AsyncIterable<{ record: unknown; info: { lines: number } }>) {
      rows.push(validateRow(schema, item.record, file, item.info.lines));
    }
  } catch (e) {
    if (BenchmarkFileError.isInstance(e)) throw e;
    const line = (e as { lines?: number }).lines;
    const reason = e instanceof Error ? e.message : String(e);
    if (line !== undefined) throw new BenchmarkFileError({ file, line, reason, cause: e });
    wrapIoError(file, e);
  }
  return rows;
}

const bareNaN = /([:[,]\s*)NaN(?=\s*[,}\]])/g;

/** JSON.parse; with allowNaN, Python's bare NaN values (outside strings) become null. */
function parseJsonLine(line: string, allowNaN: boolean): unknown {
  try {
    return JSON.parse(line);
  } catch (e) {
    if (!allowNaN || !line.includes('NaN')) throw e;
    return JSON.parse(line.replace(bareNaN, '$1null'));
  }
}

/** Streams a JSON Lines file; a line that is not JSON or fails the schema names its line. */
export async function readJsonl<S extends z.ZodType>(
  file: string,
  schema: S,
  options: { allowNaN?: boolean } = {},
): Promise<z.output<S>[]> {
  const rows: z.output<S>[] = [];
  let lineNumber = 0;
  try {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = parseJsonLine(line, options.allowNaN ?? false);
      } catch (e) {
        throw new BenchmarkFileError({ file, line: lineNumber, reason: 'not valid JSON', cause: e });
      }
      rows.push(validateRow(schema, value, file, lineNumber));
    }
  } catch (e) {
    wrapIoError(file, e);
  }
  return rows;
}

/** Reads a JSON array file; an element failing the schema is reported by its 1-based index as `line`. */
export async function readJsonArray<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>[]> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    wrapIoError(file, e);
  }
  if (!Array.isArray(value)) throw new BenchmarkFileError({ file, reason: 'expected a JSON array' });
  return value.map((item, index) => validateRow(schema, item, file, index + 1));
}

/** Reads a Parquet file with hyparquet; rows are validated like the text formats (line = row index + 1). */
export async function readParquet<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>[]> {
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
  } catch (e) {
    wrapIoError(file, e);
  }
  return rows.map((row, index) => validateRow(schema, row, file, index + 1));
}
