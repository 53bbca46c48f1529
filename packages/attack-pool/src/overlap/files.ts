import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { extractTexts, isDataFile } from './extract.js';
import type { EvalText } from './training-index.js';

/** Data files (jsonl[.gz], json, csv, tsv, parquet) under `dir`, sorted; `exclude` drops paths containing any of them. */
export function listDataFiles(dir: string, exclude: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (isDataFile(e.name) && !exclude.some((x) => p.includes(x))) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** Every string field of every data file under `dir`, each tagged with its path relative to `root`. */
export async function readDataTexts(
  dir: string,
  options: { root?: string; exclude?: readonly string[] } = {},
): Promise<EvalText[]> {
  const out: EvalText[] = [];
  for (const file of listDataFiles(dir, options.exclude)) {
    const source = options.root ? relative(options.root, file) : file;
    for (const text of await extractTexts(file, readFileSync(file))) out.push({ text, source });
  }
  return out;
}
