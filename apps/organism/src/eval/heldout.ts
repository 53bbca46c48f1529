import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EvalInputError } from '../errors.js';
import { parseJsonlRows } from '../sources/jsonl-rows.js';
import { t0LicenceOf } from '../sources/t0-licences.js';

/** One line of `sft.heldout.jsonl` as the corpus builder writes it: a T0 prompt and its reference answer. */
export const heldoutRowSchema = z.object({
  source: z.string().min(1),
  messages: z
    .tuple([
      z.object({ role: z.literal('user'), content: z.string().min(1) }),
      z.object({ role: z.literal('assistant'), content: z.string().min(1) }),
    ])
    .describe('[user, assistant]'),
});

export interface HeldoutExample {
  /** `heldout:<line>` of the file read. */
  id: string;
  source: string;
  prompt: string;
  reference: string;
}

/** The committed copy of the held-out set (`data/heldout/sft.heldout.jsonl`), from src/ or dist/. */
export function defaultHeldoutFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'data', 'heldout', 'sft.heldout.jsonl');
    if (existsSync(candidate)) return candidate;
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'heldout', 'sft.heldout.jsonl');
}

/** Reads a held-out file; a broken row throws CorpusInputError naming the file and line. */
export function readHeldout(file: string): HeldoutExample[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EvalInputError(file, `cannot read the held-out set (${(e as Error).message})`, { cause: e });
  }
  return parseJsonlRows(text, file, heldoutRowSchema).map(({ row, line }) => ({
    id: `heldout:${line}`,
    source: row.source,
    prompt: row.messages[0].content,
    reference: row.messages[1].content,
  }));
}

/**
 * Copies the corpus builder's held-out file into `outDir` with a README of its sources and their licences
 * (each T0 dataset's entry of t0-licences.ts); refuses a row whose dataset is not a kept (licensed) one.
 */
export async function writeHeldoutCopy(heldoutFile: string, outDir: string, revision: string): Promise<number> {
  const rows = readHeldout(heldoutFile);
  const perDataset = new Map<string, { licence: string; dataset: string; n: number }>();
  for (const r of rows) {
    const template = r.source.replace(/^t0:/, '');
    const l = t0LicenceOf(template);
    if (!r.source.startsWith('t0:') || l === undefined || !l.keep)
      throw new EvalInputError(`${heldoutFile}:${r.id.slice(8)}`, `source '${r.source}' is not a licensed T0 dataset`);
    const e = perDataset.get(l.prefix) ?? { licence: l.licence, dataset: l.dataset, n: 0 };
    e.n++;
    perDataset.set(l.prefix, e);
  }
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'sft.heldout.jsonl'), readFileSync(heldoutFile));
  const table = [...perDataset]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([prefix, e]) => `| \`${prefix}\` | ${e.dataset} | ${e.licence} | ${e.n} |`);
  const readme = `# Organism held-out set

Written by \`apps/organism/scripts/write-eval-data.ts\` from the corpus builder's \`sft.heldout.jsonl\`; do not
edit by hand. ${rows.length} T0 prompt/answer pairs, 2% of the T0 examples by prompt hash, never in the
organism's training data (the tokenizer, pretraining and SFT read the train files only). \`magic-organism eval\`
scores the organism's greedy answers against the references with ROUGE-L.

Source: per-template T0 files of \`yizhongw/self-instruct\` (\`data/finetuning/t0_train_50k/data_per_template\`)
at ${revision}, as the corpus builder reads them (prompt -> user turn, completion -> assistant turn); each
dataset's licence (attribution and share-alike terms included) applies to its rows. See [../PROVENANCE.md](../PROVENANCE.md) for how datasets were chosen.

| prefix | dataset | licence | rows |
|---|---|---|---|
${table.join('\n')}
`;
  await writeFile(join(outDir, 'README.md'), readme);
  return rows.length;
}
