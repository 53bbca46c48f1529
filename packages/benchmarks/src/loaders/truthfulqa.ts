import { z } from 'zod';
import { readCsv } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

const answers = z.string().transform((v) =>
  v
    .split(';')
    .map((a) => a.trim())
    .filter((a) => a !== ''),
);

/** A TruthfulQA row; the `;`-separated answer lists become arrays. */
export const truthfulqaRowSchema = z
  .object({
    Type: z.string(),
    Category: z.string(),
    Question: z.string().min(1),
    'Best Answer': z.string().min(1),
    'Best Incorrect Answer': z.string().optional(),
    'Correct Answers': answers,
    'Incorrect Answers': answers,
    Source: z.string(),
  })
  .transform((r) => ({
    type: r.Type,
    category: r.Category,
    question: r.Question,
    bestAnswer: r['Best Answer'],
    bestIncorrectAnswer: r['Best Incorrect Answer'] ?? null,
    correctAnswers: r['Correct Answers'],
    incorrectAnswers: r['Incorrect Answers'],
    source: r.Source,
  }));
export type TruthfulqaRow = z.output<typeof truthfulqaRowSchema>;

/** TruthfulQA generation CSV (790). */
export function loadTruthfulqa(options: LoadOptions = {}): Promise<TruthfulqaRow[]> {
  return readCsv(options.path ?? shippedFile('truthfulqa/TruthfulQA.csv'), truthfulqaRowSchema, { columns: true });
}
