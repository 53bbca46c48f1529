import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CorpusInputError } from './errors.js';
import { MIN_EVAL_CHARS, normaliseText } from './normalise.js';

/** Every string leaf of a JSON value (object keys are not texts). */
function stringValues(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringValues(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) stringValues(v, out);
}

/** JSON, tolerating the bare `NaN` values pandas writes for missing cells (they hold no text). */
function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const patched = text.replace(/([:,[]\s*)-?(?:NaN|Infinity)(?=\s*[,}\]])/g, '$1null');
    if (patched === text) throw e;
    return JSON.parse(patched);
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else if (/\.(jsonl|json|csv|tsv)$/.test(name)) out.push(p);
  }
  return out;
}

/** Every string field of every row of a data file: CSV cells (header included), JSON/JSONL string leaves. */
export function readFileTexts(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  if (file.endsWith('.jsonl')) {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        stringValues(parseJsonLenient(line), out);
      } catch (e) {
        throw new CorpusInputError(file, i + 1, 'invalid JSON', { cause: e });
      }
    });
  } else if (file.endsWith('.json')) {
    try {
      stringValues(parseJsonLenient(text), out);
    } catch (e) {
      throw new CorpusInputError(file, undefined, 'invalid JSON', { cause: e });
    }
  } else {
    const tsv = file.endsWith('.tsv');
    const rows = parse(text, {
      bom: true,
      delimiter: tsv ? '\t' : ',',
      quote: tsv ? false : '"',
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
    for (const r of rows) out.push(...r);
  }
  return out;
}

/** Distinct normalised eval texts (≥ 30 characters) of every data file under `dir`, with the files they occur in. */
export function loadEvalTexts(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of listFiles(dir)) {
    const source = relative(dir, file);
    for (const t of readFileTexts(file)) {
      const n = normaliseText(t);
      if (n.length < MIN_EVAL_CHARS) continue;
      const s = out.get(n);
      if (s === undefined) out.set(n, [source]);
      else if (!s.includes(source)) s.push(source);
    }
  }
  return out;
}
