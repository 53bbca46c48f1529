import { readFileSync } from 'node:fs';
import { at } from '@magic/core';
import { parse } from 'csv-parse/sync';
import { SeedLoadError } from '../errors.js';

/** A parsed row with the 1-based line where it ends in the file. */
export interface Row {
  line: number;
  fields: Record<string, unknown>;
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new SeedLoadError({ file, reason: `cannot read file (${(cause as Error).message})`, cause });
  }
}

/** Options of {@link readCsvRows}. */
export interface CsvReadOptions {
  /** Field delimiter, `,` unless given; a TSV (`\t`) is read unquoted, quotes being text there. */
  delimiter?: string | undefined;
  /** The column names of a header-less file (MMLU); else the first line is the header. */
  columns?: string[] | undefined;
  /** Columns the header must have (checked on line 1 when the file has rows). */
  requiredColumns?: string[] | undefined;
}

/** CSV (or TSV with `delimiter: '\t'`), with a header row unless `columns` names them. A malformed row throws with its line. */
export function readCsvRows(file: string, options: CsvReadOptions = {}): Row[] {
  const text = readText(file);
  let parsed: { record: Record<string, string>; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      columns: options.columns ?? true,
      delimiter: options.delimiter ?? ',',
      info: true,
      bom: true,
      skip_empty_lines: true,
      relax_quotes: options.delimiter === '\t',
      quote: options.delimiter === '\t' ? false : '"',
    }) as typeof parsed;
  } catch (cause) {
    const line = (cause as { lines?: number }).lines;
    throw new SeedLoadError({ file, line, reason: `malformed CSV: ${(cause as Error).message}`, cause });
  }
  const header = parsed.length > 0 ? Object.keys(at(parsed, 0, 'parsed').record) : [];
  for (const column of options.requiredColumns ?? []) {
    if (parsed.length > 0 && !header.includes(column)) {
      throw new SeedLoadError({ file, line: 1, field: column, reason: 'missing column in header' });
    }
  }
  return parsed.map((p) => ({ line: p.info.lines, fields: p.record }));
}

/** A parsed JSON value with the 1-based line where it starts. */
export interface JsonValueAt {
  line: number;
  value: unknown;
}

const bareNaN = /([:[,]\s*)NaN(?=\s*[,}\]])/g;

/** JSON.parse; with allowNaN, Python's bare NaN values (outside strings) become null. */
function parseJson(text: string, allowNaN: boolean): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!allowNaN || !text.includes('NaN')) throw e;
    return JSON.parse(text.replace(bareNaN, '$1null'));
  }
}

/** JSON Lines: one value per non-empty line (`allowNaN`: Python's bare NaN reads as null); a bad line throws. */
export function readJsonlValues(file: string, options: { allowNaN?: boolean | undefined } = {}): JsonValueAt[] {
  const values: JsonValueAt[] = [];
  readText(file)
    .split('\n')
    .forEach((raw, i) => {
      if (raw.trim() === '') return;
      try {
        values.push({ line: i + 1, value: parseJson(raw, options.allowNaN ?? false) });
      } catch (cause) {
        throw new SeedLoadError({ file, line: i + 1, reason: `invalid JSON (${(cause as Error).message})`, cause });
      }
    });
  return values;
}

/** A value that must be a JSON object (a row), or a SeedLoadError naming its line. */
function objectRow(file: string, { line, value }: JsonValueAt, what: string): Row {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SeedLoadError({ file, line, reason: `${what} is not a JSON object` });
  }
  return { line, fields: value as Record<string, unknown> };
}

/** JSON Lines: one object per non-empty line; a bad line throws with its number. */
export function readJsonlRows(file: string, options: { allowNaN?: boolean | undefined } = {}): Row[] {
  return readJsonlValues(file, options).map((v) => objectRow(file, v, 'the line'));
}

/** A JSON array: its elements with the line on which each starts. */
export function readJsonArrayValues(file: string): JsonValueAt[] {
  const text = readText(file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SeedLoadError({ file, reason: `invalid JSON (${(cause as Error).message})`, cause });
  }
  if (!Array.isArray(value)) throw new SeedLoadError({ file, line: 1, reason: 'expected a JSON array' });
  const starts = elementStartLines(text);
  return value.map((item: unknown, i) => ({ line: at(starts, i, 'element start lines'), value: item }));
}

/** A JSON array of objects. Rows get the line on which each array element starts. */
export function readJsonArrayRows(file: string): Row[] {
  return readJsonArrayValues(file).map((v, i) => objectRow(file, v, `array item ${i}`));
}

/** 1-based line where each element of the top-level JSON array starts (string-aware scan). */
function elementStartLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === undefined || /\s/.test(ch)) continue;
    if (depth === 1 && expectElement && ch !== ']') {
      lines.push(line);
      expectElement = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectElement = true;
  }
  return lines;
}

/** Parquet rows (hyparquet). `line` is the 1-based row number. */
export async function readParquetRows(file: string): Promise<Row[]> {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch (cause) {
    throw new SeedLoadError({ file, reason: `cannot read file (${(cause as Error).message})`, cause });
  }
  const { parquetReadObjects } = await import('hyparquet');
  const ab = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  try {
    const rows = await parquetReadObjects({ file: ab });
    return rows.map((fields, i) => ({ line: i + 1, fields: fields as Record<string, unknown> }));
  } catch (cause) {
    throw new SeedLoadError({ file, reason: `malformed Parquet: ${(cause as Error).message}`, cause });
  }
}

/** A required non-empty string field, or a SeedLoadError naming file, line and field. */
export function requireString(file: string, row: Row, field: string): string {
  const value = row.fields[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SeedLoadError({ file, line: row.line, field, reason: 'missing or empty' });
  }
  return value;
}

/** An optional string field (numbers are stringified); anything else is an error. */
export function optionalString(file: string, row: Row, field: string): string | undefined {
  const value = row.fields[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new SeedLoadError({ file, line: row.line, field, reason: `expected a string, got ${typeof value}` });
}
