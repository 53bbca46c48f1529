import { readFileSync } from 'node:fs';
import { normaliseText, TrainingIndex } from '@magic/attack-pool';
import { at, defined } from '@magic/core';
import { z } from 'zod';
import { GuardEvalError } from '../errors.js';
import type { GuardExample } from '../local/dataset.js';

export const FAMILY_MAP_FORMAT = 'magic-guard-families/v1';

const fixedEntry = z
  .object({ source: z.string().min(1), family: z.string().min(1), reason: z.string().min(1) })
  .strict();
/** A source that mixes several families: each row joins the first listed family whose rows it duplicates. */
const overlapEntry = z
  .object({
    source: z.string().min(1),
    byOverlap: z.array(z.string().min(1)).min(1),
    fallback: z.string().min(1),
    reason: z.string().min(1),
  })
  .strict();

export const familyMapSchema = z
  .object({
    format: z.literal(FAMILY_MAP_FORMAT),
    description: z.string().optional(),
    sources: z.array(z.union([fixedEntry, overlapEntry])).min(1),
  })
  .strict();
export type FamilyMap = z.output<typeof familyMapSchema>;

/** Validates a family map; a source listed twice is an error (its family would depend on order). */
export function parseFamilyMap(raw: unknown, file = 'family map'): FamilyMap {
  const parsed = familyMapSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = at(parsed.error.issues, 0, 'issues of a failed parse');
    throw new GuardEvalError(file, issue.message, issue.path.join('.') || undefined);
  }
  const seen = new Set<string>();
  for (const entry of parsed.data.sources) {
    if (seen.has(entry.source)) throw new GuardEvalError(file, `source '${entry.source}' is listed twice`, 'sources');
    seen.add(entry.source);
  }
  return parsed.data;
}

export function loadFamilyMap(file: string): FamilyMap {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new GuardEvalError(file, `cannot read JSON (${(cause as Error).message})`);
  }
  return parseFamilyMap(raw, file);
}

/** The texts a row is identified by in overlap checks: its text, and for replies the prompt with it. */
export function rowTexts(row: GuardExample): string[] {
  return row.task === 'prompt' || row.prompt === undefined ? [row.text] : [`${row.prompt}\n${row.text}`];
}

/**
 * The family of every row (parallel to `rows`). Rows of an overlap-assigned source join the first candidate
 * family whose rows (text or prompt) they duplicate by the overlap check's method (normalised exact match or
 * >= 90% of 8-grams contained), else the fallback. Throws GuardEvalError for a source the map does not name.
 */
export function assignFamilies(rows: readonly GuardExample[], map: FamilyMap): string[] {
  const bySource = new Map(map.sources.map((e) => [e.source, e]));
  const assigned = rows.map((row) => {
    const entry = bySource.get(row.source);
    if (entry === undefined)
      throw new GuardEvalError('family map', `source '${row.source}' has no family; add it with a reason`, 'sources');
    return { row, entry };
  });
  const fixed = assigned.map(({ entry }) => ('family' in entry ? entry.family : undefined));
  const candidates = new Set(map.sources.flatMap((e) => ('byOverlap' in e ? e.byOverlap : [])));
  const indexes = new Map<string, TrainingIndex>();
  for (const family of candidates) {
    const index = new TrainingIndex();
    rows.forEach((row, i) => {
      if (fixed[i] !== family) return;
      index.addText(row.text);
      if (row.prompt !== undefined) index.addText(row.prompt);
    });
    indexes.set(family, index);
  }
  return assigned.map(({ row, entry }) => {
    if ('family' in entry) return entry.family;
    const n = normaliseText(row.text);
    const overlaps = (f: string) => defined(indexes.get(f), `overlap index of family '${f}'`).match(n) !== undefined;
    return entry.byOverlap.find(overlaps) ?? entry.fallback;
  });
}
