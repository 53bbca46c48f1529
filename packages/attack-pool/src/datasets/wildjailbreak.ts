import { z } from 'zod';
import { readCsvRows, readJsonlRows, readParquetRows } from './read.js';
import { type FileRow, optionalTextField, parseRows } from './rows.js';

export const wildjailbreakDataTypes = [
  'vanilla_harmful',
  'adversarial_harmful',
  'vanilla_benign',
  'adversarial_benign',
] as const;
export type WildJailbreakDataType = (typeof wildjailbreakDataTypes)[number];

const fields = {
  adversarial: optionalTextField,
  tactics: optionalTextField,
  data_type: optionalTextField.pipe(z.enum(wildjailbreakDataTypes).optional()),
};
interface RawRow {
  vanilla?: string | undefined;
  adversarial?: string | undefined;
  tactics?: string | undefined;
  data_type?: WildJailbreakDataType | undefined;
}

/** The row with `request`, the text a seed uses: the vanilla request, else the adversarial one; one must exist. */
function toRow(r: RawRow, ctx: z.core.$RefinementCtx) {
  const request = r.vanilla ?? r.adversarial;
  if (request === undefined) {
    ctx.addIssue({ code: 'custom', message: 'no vanilla or adversarial', path: ['vanilla'] });
    return z.NEVER;
  }
  return { vanilla: r.vanilla, adversarial: r.adversarial, request, tactics: r.tactics, dataType: r.data_type };
}

/**
 * One row of WildJailbreak: the eval JSONL (`vanilla, adversarial`) or the train TSV (`vanilla, adversarial,
 * tactics, completion, data_type`). A row has at least one of the two requests; an adversarial-only row has no vanilla.
 */
export const wildjailbreakRowSchema = z.object({ vanilla: optionalTextField, ...fields }).transform(toRow);

/** One row of MAGIC's verl Parquet copy of the eval set, where the vanilla request is `question`. */
export const wildjailbreakParquetRowSchema = z
  .object({ question: optionalTextField, ...fields })
  .transform(({ question, ...r }, ctx) => toRow({ ...r, vanilla: question }, ctx));
export type WildJailbreakFileRow = FileRow<z.output<typeof wildjailbreakRowSchema>>;

/** Every row of a WildJailbreak `.tsv` (train; unquoted, so quotes are text) or JSONL (eval) file. */
export function readWildJailbreakFile(file: string): WildJailbreakFileRow[] {
  const rows = file.endsWith('.tsv') ? readCsvRows(file, { delimiter: '\t' }) : readJsonlRows(file);
  return parseRows(file, rows, wildjailbreakRowSchema);
}

/** Every row of MAGIC's WildJailbreak Parquet file (asynchronous: Parquet is decoded by hyparquet). */
export async function readWildJailbreakParquet(file: string): Promise<WildJailbreakFileRow[]> {
  return parseRows(file, await readParquetRows(file), wildjailbreakParquetRowSchema);
}
