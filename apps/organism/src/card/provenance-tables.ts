import { readFileSync } from 'node:fs';
import { EvalInputError } from '../errors.js';

/** Rows of the first markdown table after `heading` (cells trimmed, `\|` kept escaped; header and rule left out). */
export function markdownTableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) return [];
  const rows: string[][] = [];
  let inTable = false;
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('#') && !inTable) continue;
    if (!l.trim().startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    rows.push(
      l
        .trim()
        .replace(/^\||(?<!\\)\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows.slice(2);
}

export interface ProvenanceTables {
  /** source, origin, revision, licence, items read, skipped. */
  sources: string[][];
  /** prefix, dataset, licence, used, reason: only the datasets used. */
  t0Used: string[][];
}

/** The sources table and the used T0 datasets of the corpus builder's PROVENANCE.md. */
export function readProvenanceTables(file: string): ProvenanceTables {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EvalInputError(file, `cannot read PROVENANCE.md (${(e as Error).message})`, { cause: e });
  }
  const sources = markdownTableAfter(text, '## Sources');
  const t0Used = markdownTableAfter(text, '## T0 datasets: licence decisions').filter((r) => r[3] === 'yes');
  if (sources.length === 0) throw new EvalInputError(file, "no table under '## Sources'");
  return { sources, t0Used };
}
