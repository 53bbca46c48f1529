import { z } from 'zod';
import { readJsonl } from '../io.js';
import type { MultipleChoiceItem } from './mmlu.js';
import { type LoadOptions, shippedFile } from './paths.js';

/** An ARC-Challenge row as reformatted upstream (`options` list of {label, text}, `answer` letter). */
export const arcRowSchema = z
  .object({
    id: z.string().min(1),
    question: z.string().min(1),
    options: z.array(z.object({ label: z.string().min(1), text: z.string() })).min(2),
    answer: z.string().min(1),
  })
  .refine((r) => r.options.some((o) => o.label === r.answer), {
    message: 'answer is not one of the option labels',
    path: ['answer'],
  })
  .transform(
    (r): MultipleChoiceItem => ({
      id: r.id,
      subject: 'arc_challenge',
      question: r.question,
      choices: r.options,
      answer: r.answer,
    }),
  );

/** ARC-Challenge test (1,172). */
export function loadArc(options: LoadOptions = {}): Promise<MultipleChoiceItem[]> {
  return readJsonl(options.path ?? shippedFile('arc/arc_challenge_test.jsonl'), arcRowSchema);
}
