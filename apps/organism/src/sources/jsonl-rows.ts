import { at } from '@magic/core';
import type { z } from 'zod';
import { CorpusInputError } from '../errors.js';

/**
 * The rows of a jsonl source file, each parsed with `schema`; blank lines are skipped, a broken row throws
 * CorpusInputError with the file and 1-based line (`field` prefixes the message when given, else the zod path).
 */
export function parseJsonlRows<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  field?: string,
): { row: z.output<S>; line: number }[] {
  const rows: { row: z.output<S>; line: number }[] = [];
  text.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new CorpusInputError(file, i + 1, `invalid JSON (${(e as Error).message})`, { cause: e });
    }
    const r = schema.safeParse(raw);
    if (!r.success) {
      const issue = at(r.error.issues, 0, 'zod issue');
      throw new CorpusInputError(file, i + 1, `${field ?? (issue.path.join('.') || '(row)')}: ${issue.message}`);
    }
    rows.push({ row: r.data, line: i + 1 });
  });
  return rows;
}
