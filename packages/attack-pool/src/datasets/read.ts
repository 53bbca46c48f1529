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

/** CSV (or TSV with `delimiter: '\t'`) with a header row. A malformed row throws with its line. */
export function readCsvRows(file: string, options: { delimiter?: string; requiredColumns?: string[] } = {}): Row[] {
  const text = readText(file);
  let parsed: { record: Record<string, string>; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      columns: true,
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

/** JSON Lines: one object per non-empty line; a bad line throws with its number. */
export function readJsonlRows(file: string): Row[] {
  const rows: Row[] = [];
  readText(file)
    .split('\n')
    .forEach((raw, i) => {
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (cause) {
        throw new SeedLoadError({ file, line: i + 1, reason: `invalid JSON (${(cause as Error).message})`, cause });
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new SeedLoadError({ file, line: i + 1, reason: 'expected a JSON object' });
      }
      rows.push({ line: i + 1, fields: value as Record<string, unknown> });
    });
  return rows;
}

/** A JSON array of objects. Rows get the line on which each array element starts. */
export function readJsonArrayRows(file: string): Row[] {
  const text = readText(file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SeedLoadError({ file, reason: `invalid JSON (${(cause as Error).message})`, cause });
  }
  if (!Array.isArray(value)) throw new SeedLoadError({ file, line: 1, reason: 'expected a JSON array' });
  const starts = objectStartLines(text);
  return value.map((item, i) => {
    const line = starts[i];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new SeedLoadError({ file, line, reason: `array item ${i} is not an object` });
    }
    return { line: line ?? 0, fields: item as Record<string, unknown> };
  });
}

/** 1-based line of each top-level `{` inside a JSON array (string-aware scan). */
function objectStartLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      if (ch === '{' && depth === 1) lines.push(line);
      depth++;
    } else if (ch === ']' || ch === '}') depth--;
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
