import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { GuardModelError } from '../errors.js';

export const guardTaskSchema = z.enum(['prompt', 'refusal', 'response']);
export type GuardTask = z.output<typeof guardTaskSchema>;

/** One labelled example. `group` ties items that must land in the same split (same behaviour/source item). */
export const guardExampleSchema = z.object({
  task: guardTaskSchema,
  text: z.string(),
  prompt: z.string().optional(),
  label: z.union([z.literal(0), z.literal(1)]),
  /** On response rows: refusal label when known (1 = refusal). */
  refusal: z.union([z.literal(0), z.literal(1)]).optional(),
  source: z.string(),
  group: z.string(),
});
export type GuardExample = z.output<typeof guardExampleSchema>;

/** Reads and validates a JSONL file (or `.jsonl.gz`) of examples; errors name the file and line. */
export function readGuardExamples(file: string): GuardExample[] {
  const bytes = readFileSync(file);
  const lines = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n');
  const out: GuardExample[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new GuardModelError(`${file}:${i + 1}`, 'not valid JSON');
    }
    const parsed = guardExampleSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new GuardModelError(`${file}:${i + 1}`, issue?.message ?? 'invalid example', issue?.path.join('.'));
    }
    out.push(parsed.data);
  });
  return out;
}

/** Splits response rows into the `response` (harmfulness) and `refusal` tasks. */
export function expandResponseRows(rows: GuardExample[]): GuardExample[] {
  const out: GuardExample[] = [];
  for (const r of rows) {
    if (r.task !== 'response') {
      out.push(r);
      continue;
    }
    out.push({ ...r, refusal: undefined });
    if (r.refusal !== undefined) out.push({ ...r, task: 'refusal', label: r.refusal, refusal: undefined });
  }
  return out;
}

/** FNV-1a 32-bit hash. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Deterministic split by group: a group is in validation iff hash(seed, group) mod 100 < validationPercent. */
export function splitByGroup<T extends { group: string }>(
  rows: T[],
  validationPercent: number,
  seed: number,
): { train: T[]; validation: T[] } {
  const train: T[] = [];
  const validation: T[] = [];
  for (const r of rows) (fnv1a(`${seed}:${r.group}`) % 100 < validationPercent ? validation : train).push(r);
  return { train, validation };
}
