import type { z } from 'zod';
import { SeedLoadError } from '../errors.js';
import { type Row, readCsvRows, readJsonArrayRows, readJsonlRows, readParquetRows } from './read.js';
import { idField, optionalTextField, textField } from './rows.js';

/** Field mapping for generic files: which column holds the text, id, category and data type. */
export interface FieldMapping {
  text: string;
  id?: string;
  category?: string;
  dataType?: string;
}

export type GenericFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet';

export function inferFormat(file: string): GenericFormat {
  const ext = file.split('.').pop()?.toLowerCase();
  if (ext === 'csv' || ext === 'tsv' || ext === 'jsonl' || ext === 'json' || ext === 'parquet') return ext;
  throw new SeedLoadError({ file, reason: `cannot infer format from extension '.${ext ?? ''}'` });
}

/** A row of a generic file, reduced to the mapped columns. */
export interface GenericFileRow {
  line: number;
  text: string;
  id: string | undefined;
  category: string | undefined;
  dataType: string | undefined;
}

/** Every row of a CSV/TSV/JSONL/JSON-array/Parquet file, each mapped column validated (the text one required). */
export async function readGenericFile(
  file: string,
  options: { mapping: FieldMapping; format?: GenericFormat | undefined },
): Promise<GenericFileRow[]> {
  const { mapping } = options;
  const format = options.format ?? inferFormat(file);
  const rows =
    format === 'parquet'
      ? await readParquetRows(file)
      : format === 'jsonl'
        ? readJsonlRows(file)
        : format === 'json'
          ? readJsonArrayRows(file)
          : readCsvRows(file, { delimiter: format === 'tsv' ? '\t' : ',', requiredColumns: [mapping.text] });
  return rows.map((row) => ({
    line: row.line,
    dataType: mapping.dataType === undefined ? undefined : column(file, row, mapping.dataType, optionalTextField),
    id: mapping.id === undefined ? undefined : column(file, row, mapping.id, idField),
    text: column(file, row, mapping.text, textField),
    category: mapping.category === undefined ? undefined : column(file, row, mapping.category, optionalTextField),
  }));
}

/** One column of a row through its schema; a bad value names file, line and column. */
function column<S extends z.ZodType>(file: string, row: Row, name: string, schema: S): z.output<S> {
  const parsed = schema.safeParse(row.fields[name]);
  if (parsed.success) return parsed.data;
  throw new SeedLoadError({ file, line: row.line, field: name, reason: parsed.error.issues[0]?.message ?? 'invalid' });
}
