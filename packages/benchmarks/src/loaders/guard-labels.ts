import { z } from 'zod';
import { readJsonl } from '../io.js';
import { type LoadOptions, requirePath } from './paths.js';

const label = z
  .union([z.literal(0), z.literal(1)])
  .nullable()
  .optional();

/**
 * A row of a user's labelled guard set (JSON Lines, one object per line). `prompt` is required; `response` is
 * needed for the response labels. Labels are 0/1; null or absent = not labelled for that column. Unknown keys
 * are rejected so a misspelt label column cannot be ignored silently.
 */
export const guardLabelsRowSchema = z
  .object({
    prompt: z.string().min(1),
    response: z.string().min(1).optional(),
    /** 1 = the prompt is harmful. */
    promptHarm: label,
    /** 1 = the response is harmful. */
    responseHarm: label,
    /** 1 = the response is a refusal. */
    refusal: label,
    /** Optional: rows sharing a group (e.g. one behaviour) are resampled together for the CIs. */
    group: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((row, ctx) => {
    if (row.promptHarm == null && row.responseHarm == null && row.refusal == null)
      ctx.addIssue({
        code: 'custom',
        message: 'no label: give promptHarm, responseHarm or refusal',
        path: ['promptHarm'],
      });
    for (const key of ['responseHarm', 'refusal'] as const) {
      if (row[key] != null && row.response === undefined)
        ctx.addIssue({ code: 'custom', message: `${key} needs a response`, path: ['response'] });
    }
  })
  .transform((row) => ({
    prompt: row.prompt,
    response: row.response ?? null,
    promptHarm: row.promptHarm ?? null,
    responseHarm: row.responseHarm ?? null,
    refusal: row.refusal ?? null,
    group: row.group ?? null,
  }));
export type GuardLabelsRow = z.output<typeof guardLabelsRowSchema>;

/** A user's labelled guard set (not shipped): `path` to a .jsonl file in the `guardLabelsRowSchema` format. */
export function loadGuardLabels(options: LoadOptions = {}): Promise<GuardLabelsRow[]> {
  const file = requirePath(
    'guardLabels',
    options.path,
    'give a JSON Lines file of {prompt, response?, promptHarm?, responseHarm?, refusal?, group?} rows (magic-eval --data FILE)',
  );
  return readJsonl(file, guardLabelsRowSchema);
}
