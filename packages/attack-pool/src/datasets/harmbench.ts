import { z } from 'zod';
import { readCsvRows } from './read.js';
import { type FileRow, parseRows, textField } from './rows.js';

export const harmbenchFunctionalCategories = ['standard', 'contextual', 'copyright'] as const;

/** One row of a HarmBench behaviours CSV (`Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID`). */
export const harmbenchCsvRowSchema = z
  .object({
    Behavior: textField,
    FunctionalCategory: z.enum(harmbenchFunctionalCategories),
    SemanticCategory: textField,
    Tags: z.string(),
    ContextString: z.string(),
    BehaviorID: textField,
  })
  .transform((r) => ({
    behavior: r.Behavior,
    functionalCategory: r.FunctionalCategory,
    semanticCategory: r.SemanticCategory,
    tags: r.Tags === '' ? [] : r.Tags.split(',').map((t) => t.trim()),
    contextString: r.ContextString,
    behaviorId: r.BehaviorID,
  }));
export type HarmBenchFileRow = FileRow<z.output<typeof harmbenchCsvRowSchema>>;

/** Every row of a HarmBench behaviours CSV, validated. */
export function readHarmBenchFile(file: string): HarmBenchFileRow[] {
  const rows = readCsvRows(file, { requiredColumns: ['Behavior', 'BehaviorID'] });
  return parseRows(file, rows, harmbenchCsvRowSchema);
}

/** HarmBench's own prompt convention: a contextual row's context, a `---` rule, then the behaviour. */
export function harmbenchPrompt(row: { behavior: string; contextString: string }): string {
  return row.contextString === '' ? row.behavior : `${row.contextString}\n\n---\n\n${row.behavior}`;
}
