import { createHash } from 'node:crypto';
import { at, defined } from '@magic/core';
import { z } from 'zod';
import { readCsv } from '../io.js';
import { mulberry32 } from '../metrics/bootstrap.js';
import { choiceLetters, type MultipleChoiceItem } from './mmlu.js';
import { type LoadOptions, requirePath } from './paths.js';

const answer = z.string().trim().min(1);

/** A row of the GPQA CSVs (gpqa_main / gpqa_diamond / gpqa_extended; other columns are ignored). */
export const gpqaCsvSchema = z.object({
  Question: z.string().trim().min(1),
  'Correct Answer': answer,
  'Incorrect Answer 1': answer,
  'Incorrect Answer 2': answer,
  'Incorrect Answer 3': answer,
  'Record ID': z.string().optional(),
  'High-level domain': z.string().optional(),
});

/** A 32-bit seed from the run seed and a row key: a row's option order does not depend on which rows precede it. */
function rowSeed(seed: number, key: string): number {
  return createHash('sha256').update(`${seed}\0${key}`).digest().readUInt32LE(0);
}

/** Fisher–Yates with mulberry32. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const rng = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [at(out, j, 'out'), at(out, i, 'out')];
  }
  return out;
}

/**
 * GPQA (CC BY 4.0, but its authors ask that it not be redistributed in plain text, to keep it out of training corpora;
 * not shipped): `path` to the user's gpqa_main.csv (448 questions, the paper's set) or another GPQA CSV. The four
 * answers are shuffled per row with `seed` (default 0), so the correct one is not always first.
 */
export async function loadGpqa(options: LoadOptions = {}): Promise<MultipleChoiceItem[]> {
  const file = requirePath(
    'gpqa',
    options.path,
    'accept the terms of HF Idavidrein/gpqa (or unzip dataset.zip of github.com/idavidrein/gpqa) and pass gpqa_main.csv',
  );
  const rows = await readCsv(file, gpqaCsvSchema, { columns: true });
  return rows.map((r, i) => {
    const id = r['Record ID'] || String(i);
    const texts = shuffled(
      [r['Correct Answer'], r['Incorrect Answer 1'], r['Incorrect Answer 2'], r['Incorrect Answer 3']].map(
        (text, k) => ({ text, correct: k === 0 }),
      ),
      rowSeed(options.seed ?? 0, id),
    );
    const choices = texts.map((t, k) => ({ label: at(choiceLetters, k, 'choiceLetters'), text: t.text }));
    return {
      id,
      subject: r['High-level domain'] || 'gpqa',
      question: r.Question,
      choices,
      answer: defined(choiceLetters[texts.findIndex((t) => t.correct)], 'choiceLetters entry'),
    };
  });
}
