import { z } from 'zod';
import { readCsvRows, readJsonArrayRows, readJsonlRows } from './read.js';
import { type FileRow, idField, optionalTextField, parseRows, textField } from './rows.js';

// The formats only the seed loaders read (the benchmarks never score them): AdvBench, the refusal-direction
// splits, SORRY-Bench and Self-Instruct.

interface AdvBenchRow {
  behavior: string;
  /** HarmBench's copy names each row; the original file does not. */
  behaviorId: string | undefined;
}

/** A row of HarmBench's copy of AdvBench (`Behavior,Category,Tags,ContextString,BehaviorID`). */
export const advbenchHarmbenchRowSchema = z
  .object({ Behavior: textField, BehaviorID: textField })
  .transform((r): AdvBenchRow => ({ behavior: r.Behavior, behaviorId: r.BehaviorID }));
/** A row of the original AdvBench CSV (`goal,target`). */
export const advbenchOriginalRowSchema = z
  .object({ goal: textField })
  .transform((r): AdvBenchRow => ({ behavior: r.goal, behaviorId: undefined }));
export type AdvBenchFileRow = FileRow<AdvBenchRow>;

/** Every row of an AdvBench CSV; the layout is chosen by the header (a `Behavior` column is HarmBench's copy). */
export function readAdvBenchFile(file: string): AdvBenchFileRow[] {
  const rows = readCsvRows(file);
  const harmbenchCopy = rows[0] !== undefined && 'Behavior' in rows[0].fields;
  return parseRows(file, rows, harmbenchCopy ? advbenchHarmbenchRowSchema : advbenchOriginalRowSchema);
}

/** One element of a refusal-direction split: `{ instruction, category }`. */
export const refusalDirectionRowSchema = z.object({ instruction: textField, category: optionalTextField });
export type RefusalDirectionFileRow = FileRow<z.output<typeof refusalDirectionRowSchema>>;

export function readRefusalDirectionFile(file: string): RefusalDirectionFileRow[] {
  return parseRows(file, readJsonArrayRows(file), refusalDirectionRowSchema);
}

/** A turn list whose first turn is non-blank text (SORRY-Bench's prompt is `turns[0]`). */
const firstTurn = z.array(z.unknown()).transform((turns, ctx) => {
  const first = turns[0];
  if (typeof first === 'string' && first.trim() !== '') return first;
  ctx.addIssue({ code: 'custom', message: 'expected a non-empty string array' });
  return z.NEVER;
});

/** One SORRY-Bench JSONL row (`question_id, category, turns[], prompt_style`); no style is `base`. */
export const sorryBenchRowSchema = z
  .object({ turns: firstTurn, prompt_style: optionalTextField, question_id: idField, category: idField })
  .transform((r) => ({
    questionId: r.question_id,
    category: r.category,
    prompt: r.turns,
    promptStyle: r.prompt_style ?? 'base',
  }));
export type SorryBenchFileRow = FileRow<z.output<typeof sorryBenchRowSchema>>;

export function readSorryBenchFile(file: string): SorryBenchFileRow[] {
  return parseRows(file, readJsonlRows(file), sorryBenchRowSchema);
}

const selfInstructInstance = z.object({ input: z.string(), output: z.string() }).loose();

/** One Self-Instruct task (`seed_tasks.jsonl`, `user_oriented_instructions.jsonl`). */
export const selfInstructRowSchema = z
  .object({
    instances: z.array(selfInstructInstance),
    instruction: textField,
    id: idField,
    name: optionalTextField,
    motivation_app: optionalTextField,
  })
  .transform((r) => ({
    id: r.id,
    instruction: r.instruction,
    firstInput: r.instances[0]?.input ?? '',
    name: r.name,
    motivationApp: r.motivation_app,
  }));
export type SelfInstructFileRow = FileRow<z.output<typeof selfInstructRowSchema>>;

export function readSelfInstructFile(file: string): SelfInstructFileRow[] {
  return parseRows(file, readJsonlRows(file), selfInstructRowSchema);
}
