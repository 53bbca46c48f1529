import { readStrongRejectFile, type StrongRejectFileRow, strongrejectCsvRowSchema } from '@magic/attack-pool';
import type { z } from 'zod';
import { readDatasetFile } from '../io.js';
import { type LoadOptions, requirePath } from './paths.js';

function toItem({ line: _line, ...row }: Omit<StrongRejectFileRow, 'line'> & { line?: number }) {
  return { ...row, prompt: row.forbiddenPrompt };
}

/** A StrongREJECT row; `prompt` is `forbidden_prompt` (the format is parsed by @magic/attack-pool). */
export const strongrejectRowSchema = strongrejectCsvRowSchema.transform(toItem);
export type StrongrejectRow = z.output<typeof strongrejectRowSchema>;

/** StrongREJECT (313 rows; not shipped): `path` to strongreject_dataset.csv. */
export function loadStrongreject(options: LoadOptions = {}): Promise<StrongrejectRow[]> {
  const file = requirePath(
    'strongreject',
    options.path,
    'download strongreject_dataset.csv from github.com/dsbowen/strong_reject',
  );
  return readDatasetFile(() => readStrongRejectFile(file).map(toItem));
}
