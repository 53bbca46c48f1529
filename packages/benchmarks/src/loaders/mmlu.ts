import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { readCsv } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

export const choiceLetters = ['A', 'B', 'C', 'D'] as const;

/** A header-less MMLU row: question, A, B, C, D, answer. */
export const mmluCsvSchema = z.object({
  question: z.string().min(1),
  A: z.string(),
  B: z.string(),
  C: z.string(),
  D: z.string(),
  answer: z.enum(choiceLetters),
});

/** Multiple-choice item shared by MMLU and ARC. */
export interface MultipleChoiceItem {
  id: string;
  subject: string;
  question: string;
  choices: { label: string; text: string }[];
  answer: string;
}

async function csvFilesOf(path: string): Promise<string[]> {
  if (path.endsWith('.csv')) return [path];
  const names = (await readdir(path)).filter((n) => n.endsWith('.csv')).sort();
  return names.map((n) => join(path, n));
}

/**
 * MMLU: split `test` (default; the SHIPPED copy is the first 50 rows of each of 57 subjects, see
 * data/mmlu/PROVENANCE.md) or `dev` (5 per subject). `path`: one CSV or a directory of them.
 */
export async function loadMmlu(options: LoadOptions = {}): Promise<MultipleChoiceItem[]> {
  const split = options.split === 'dev' ? 'dev' : 'test';
  const files = await csvFilesOf(options.path ?? shippedFile(`mmlu/${split}`));
  const items: MultipleChoiceItem[] = [];
  for (const file of files) {
    const subject = basename(file, '.csv').replace(/_(test|dev|val)$/, '');
    const rows = await readCsv(file, mmluCsvSchema, { columns: ['question', 'A', 'B', 'C', 'D', 'answer'] });
    rows.forEach((r, i) => {
      const choices = choiceLetters.map((label) => ({ label, text: r[label] }));
      items.push({ id: `${subject}/${i}`, subject, question: r.question, choices, answer: r.answer });
    });
  }
  return items;
}
