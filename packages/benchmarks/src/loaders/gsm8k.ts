import { z } from 'zod';
import { readJsonl } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

/** A GSM8K row; `target` is the number after `####` (commas removed). */
export const gsm8kRowSchema = z
  .object({
    question: z.string().min(1),
    answer: z.string().regex(/####\s*-?[\d,.]+\s*$/, 'answer must end with "#### <number>"'),
  })
  .transform((r) => ({
    question: r.question,
    answer: r.answer,
    target: (r.answer.split('####').pop() ?? '').trim().replaceAll(',', ''),
  }));
export type Gsm8kRow = z.output<typeof gsm8kRowSchema>;

/** GSM8K test (1,319). */
export function loadGsm8k(options: LoadOptions = {}): Promise<Gsm8kRow[]> {
  return readJsonl(options.path ?? shippedFile('gsm8k/test.jsonl'), gsm8kRowSchema);
}
