import { z } from 'zod';
import { readCsv, readJsonArray } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

/** An XSTest prompt; `label` is derived from `type` (`contrast_*` = unsafe) for the safety-eval JSON. */
export interface XstestRow {
  id: string;
  prompt: string;
  type: string;
  label: 'safe' | 'unsafe';
  focus: string;
  note: string;
}

const labelOf = (type: string): 'safe' | 'unsafe' => (type.startsWith('contrast_') ? 'unsafe' : 'safe');

export const xstestJsonSchema = z
  .object({
    id: z.union([z.string(), z.number()]),
    type: z.string().min(1),
    prompt: z.string().min(1),
    focus: z.string(),
    note: z.string(),
  })
  .transform(
    (r): XstestRow => ({
      id: String(r.id),
      prompt: r.prompt,
      type: r.type,
      label: labelOf(r.type),
      focus: r.focus,
      note: r.note,
    }),
  );

export const xstestCsvSchema = z
  .object({
    id: z.string().min(1),
    prompt: z.string().min(1),
    type: z.string().min(1),
    label: z.enum(['safe', 'unsafe']),
    focus: z.string(),
    note: z.string(),
  })
  .transform((r): XstestRow => ({ ...r }));

/** XSTest v2 (250 safe + 200 contrast-unsafe). Reads the safety-eval JSON (default) or the upstream CSV. */
export function loadXstest(options: LoadOptions = {}): Promise<XstestRow[]> {
  const file = options.path ?? shippedFile('xstest/exaggerated_safety.json');
  if (file.endsWith('.csv')) return readCsv(file, xstestCsvSchema, { columns: true });
  return readJsonArray(file, xstestJsonSchema);
}
