import { z } from 'zod';
import { readJsonl } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

/** An MT-Bench question (two user turns). */
export const mtBenchRowSchema = z
  .object({ question_id: z.number().int(), category: z.string().min(1), turns: z.array(z.string().min(1)).min(1) })
  .transform((r) => ({ questionId: r.question_id, category: r.category, turns: r.turns }));
export type MtBenchRow = z.output<typeof mtBenchRowSchema>;

/** MT-Bench questions (80). */
export function loadMtBench(options: LoadOptions = {}): Promise<MtBenchRow[]> {
  return readJsonl(options.path ?? shippedFile('mt-bench/question.jsonl'), mtBenchRowSchema);
}
