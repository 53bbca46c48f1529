import {
  wildjailbreakRowSchema as fileRowSchema,
  readWildJailbreakFile,
  readWildJailbreakParquet,
} from '@magic/attack-pool';
import { z } from 'zod';
import { readDatasetFile, validateRow } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

/** An eval item needs both requests: the file format allows a row with only one (the train TSV has them). */
function toPair(row: { vanilla?: string | undefined; adversarial?: string | undefined }, ctx: z.core.$RefinementCtx) {
  const { vanilla, adversarial } = row;
  if (vanilla === undefined || adversarial === undefined) {
    const missing = vanilla === undefined ? 'vanilla' : 'adversarial';
    ctx.addIssue({ code: 'custom', message: 'an eval row needs vanilla and adversarial', path: [missing] });
    return z.NEVER;
  }
  return { vanilla, adversarial };
}
const pairSchema = z.object({ vanilla: z.string().optional(), adversarial: z.string().optional() }).transform(toPair);

/** A WildJailbreak eval row: the vanilla request and its adversarial (tactic-wrapped) rewrite. */
export const wildjailbreakRowSchema = fileRowSchema.transform(toPair);
export type WildjailbreakRow = z.output<typeof wildjailbreakRowSchema>;

/**
 * WildJailbreak eval; split `harmful` (2,000, default) or `benign` (250). `.jsonl`, `.tsv` or MAGIC's verl `.parquet`
 * (the formats are parsed by @magic/attack-pool).
 */
export async function loadWildjailbreak(options: LoadOptions = {}): Promise<WildjailbreakRow[]> {
  const split = options.split === 'benign' ? 'benign' : 'harmful';
  const file = options.path ?? shippedFile(`wildjailbreak/${split}.jsonl`);
  const rows = await readDatasetFile(() =>
    file.endsWith('.parquet') ? readWildJailbreakParquet(file) : readWildJailbreakFile(file),
  );
  return rows.map((row) => validateRow(pairSchema, row, file, row.line));
}
