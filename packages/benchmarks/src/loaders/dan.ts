import { z } from 'zod';
import { readJsonl } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

const nullableText = z.union([z.string(), z.null()]);

/** A DAN (in-the-wild jailbreak) row; the instruction is `adversarial`, the judge sees `vanilla`. */
export const danRowSchema = z.object({
  platform: nullableText,
  source: nullableText,
  prompt: z.string().min(1),
  jailbreak: z.boolean(),
  created_at: nullableText,
  date: nullableText,
  community_id: z.union([z.number(), z.null()]),
  community_name: nullableText,
  vanilla: z.string().min(1),
  adversarial: z.string().min(1),
});
export type DanRow = z.output<typeof danRowSchema>;

/** The 300-row DAN set (safety-eval do_anything_now). Python's bare `NaN` values are read as null. */
export function loadDan(options: LoadOptions = {}): Promise<DanRow[]> {
  return readJsonl(options.path ?? shippedFile('dan/do_anything_now_jailbreak.jsonl'), danRowSchema, {
    allowNaN: true,
  });
}
