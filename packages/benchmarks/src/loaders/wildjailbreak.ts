import { z } from 'zod';
import { readCsv, readJsonl, readParquet } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

/** A WildJailbreak eval row: the vanilla request and its adversarial (tactic-wrapped) rewrite. */
export const wildjailbreakRowSchema = z.object({ vanilla: z.string().min(1), adversarial: z.string().min(1) });
export type WildjailbreakRow = z.output<typeof wildjailbreakRowSchema>;

const parquetRowSchema = z
  .object({ question: z.string().min(1), adversarial: z.string().min(1) })
  .transform((r) => ({ vanilla: r.question, adversarial: r.adversarial }));

/** WildJailbreak eval; split `harmful` (2,000, default) or `benign` (250). `.jsonl`, `.tsv` or MAGIC's verl `.parquet`. */
export function loadWildjailbreak(options: LoadOptions = {}): Promise<WildjailbreakRow[]> {
  const split = options.split === 'benign' ? 'benign' : 'harmful';
  const file = options.path ?? shippedFile(`wildjailbreak/${split}.jsonl`);
  if (file.endsWith('.parquet')) return readParquet(file, parquetRowSchema);
  if (file.endsWith('.tsv')) return readCsv(file, wildjailbreakRowSchema, { columns: true, delimiter: '\t' });
  return readJsonl(file, wildjailbreakRowSchema);
}
