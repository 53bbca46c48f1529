import { basename } from 'node:path';
import { z } from 'zod';
import type { GitMirror } from '../corpus/git-mirror.js';
import { type CorpusItem, countSkip, hasSpecialTokenText, type SourceReport } from '../corpus/types.js';
import { CorpusSourceError } from '../errors.js';
import { parseJsonlRows } from './jsonl-rows.js';
import { t0LicenceOf } from './t0-licences.js';

export const T0_TEMPLATE_DIR = 'data/finetuning/t0_train_50k/data_per_template';

const t0RowSchema = z.object({ prompt: z.string(), completion: z.string() }).loose();

export interface T0Row {
  prompt: string;
  completion: string;
}

/** Parses one per-template jsonl file; a broken row throws with the file and 1-based line. */
export function parseT0Jsonl(text: string, file: string): T0Row[] {
  return parseJsonlRows(text, file, t0RowSchema).map(({ row }) => ({ prompt: row.prompt, completion: row.completion }));
}

export interface T0Options {
  /** Cap on prompt+completion characters taken per dataset (rows interleaved across its templates). */
  maxCharsPerDataset: number;
}

/**
 * Chat examples from Self-Instruct's per-template T0 files, for datasets whose licence allows it
 * (see t0-licences.ts). Every file must be classified; an unknown dataset prefix fails the build.
 */
export function readT0(mirror: GitMirror, options: T0Options): { items: CorpusItem[]; report: SourceReport } {
  const skipped: Record<string, number> = {};
  const notes: string[] = [];
  const files = mirror.list(T0_TEMPLATE_DIR);
  if (files.length === 0) throw new CorpusSourceError(`${mirror.dir}:${T0_TEMPLATE_DIR}`, 'no template files');
  const byDataset = new Map<string, { file: string; rows: T0Row[] }[]>();
  const rejected = new Map<string, number>();
  for (const path of files) {
    const name = basename(path);
    const lic = t0LicenceOf(name);
    if (lic === undefined)
      throw new CorpusSourceError(`${mirror.dir}:${path}`, 'dataset has no licence decision in t0-licences.ts');
    if (!lic.keep) {
      rejected.set(lic.prefix, (rejected.get(lic.prefix) ?? 0) + 1);
      continue;
    }
    const rows = parseT0Jsonl(mirror.read(path), `${mirror.dir}:${path}`);
    const list = byDataset.get(lic.prefix) ?? [];
    list.push({ file: name, rows });
    byDataset.set(lic.prefix, list);
  }
  const items: CorpusItem[] = [];
  for (const [prefix, templates] of byDataset) {
    let chars = 0;
    let used = 0;
    const maxRows = Math.max(...templates.map((t) => t.rows.length));
    // Interleave templates so a capped dataset still shows all its prompt formats.
    for (let i = 0; i < maxRows; i++) {
      for (const t of templates) {
        const row = t.rows[i];
        if (row === undefined) continue;
        const prompt = row.prompt.trim();
        const completion = row.completion.replace(/<\|endoftext\|>\s*$/, '').trim();
        if (prompt === '' || completion === '') {
          countSkip(skipped, 'empty prompt or completion');
          continue;
        }
        if (hasSpecialTokenText(prompt) || hasSpecialTokenText(completion)) {
          countSkip(skipped, 'special-token text inside the row');
          continue;
        }
        if (chars >= options.maxCharsPerDataset) {
          countSkip(skipped, `per-dataset cap (${options.maxCharsPerDataset} chars)`);
          continue;
        }
        chars += prompt.length + completion.length;
        used++;
        items.push({
          source: `t0:${t.file.replace(/\.jsonl$/, '')}`,
          messages: [
            { role: 'user', content: prompt },
            { role: 'assistant', content: completion },
          ],
        });
      }
    }
    notes.push(`${prefix}*: ${templates.length} templates, ${used} rows, ${chars} chars`);
  }
  for (const [prefix, n] of rejected) notes.push(`${prefix}*: ${n} templates rejected (licence)`);
  return {
    items,
    report: {
      name: 't0-per-template',
      origin: `yizhongw/self-instruct ${T0_TEMPLATE_DIR}`,
      revision: mirror.commit,
      licence: 'repository Apache-2.0; per-dataset licences in the T0 table below',
      items: items.length,
      skipped,
      notes,
    },
  };
}
