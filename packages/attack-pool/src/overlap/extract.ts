import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import { OverlapInputError } from './errors.js';

/** File kinds whose string fields are read; anything else (licences, notes) holds no dataset rows. */
const DATA_EXTENSIONS = ['.jsonl.gz', '.jsonl', '.json', '.csv', '.tsv', '.parquet'] as const;

export function isDataFile(name: string): boolean {
  return DATA_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/** Every string value in a JSON value, depth first (object keys are not texts). */
export function stringValues(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringValues(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) stringValues(v, out);
  return out;
}

/**
 * Every string field value of every row of a data file (`name` picks the format): CSV/TSV cells
 * (header included, so headerless files like MMLU lose nothing), JSON/JSONL/parquet string leaves.
 */
export async function extractTexts(name: string, bytes: Uint8Array): Promise<string[]> {
  try {
    if (name.endsWith('.gz')) return await extractTexts(name.slice(0, -3), gunzipSync(bytes));
    if (name.endsWith('.parquet')) {
      const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return stringValues(await parquetReadObjects({ file: buf }));
    }
    const text = new TextDecoder('utf-8').decode(bytes);
    if (name.endsWith('.jsonl')) {
      const out: string[] = [];
      for (const line of text.split('\n')) if (line.trim() !== '') stringValues(parseJsonLenient(line), out);
      return out;
    }
    if (name.endsWith('.json')) return stringValues(parseJsonLenient(text));
    if (name.endsWith('.csv') || name.endsWith('.tsv')) {
      const tsv = name.endsWith('.tsv');
      const rows = parse(text, {
        bom: true,
        delimiter: tsv ? '\t' : ',',
        quote: tsv ? false : '"',
        relax_column_count: true,
        skip_empty_lines: true,
      }) as string[][];
      return rows.flat();
    }
  } catch (cause) {
    throw new OverlapInputError(name, (cause as Error).message, { cause });
  }
  throw new OverlapInputError(name, 'not a data file (jsonl[.gz], json, csv, tsv, parquet)');
}

/** JSON, tolerating the bare `NaN` values that pandas writes for missing cells (they hold no text). */
function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const patched = text.replace(/([:,[]\s*)-?(?:NaN|Infinity)(?=\s*[,}\]])/g, '$1null');
    if (patched === text) throw e;
    return JSON.parse(patched);
  }
}
