import { type JbbBehaviorsFileRow, jbbBehaviorsCsvRowSchema, readJbbBehaviorsFile } from '@magic/attack-pool';
import type { z } from 'zod';
import { readDatasetFile } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

function toItem({ line: _line, ...row }: Omit<JbbBehaviorsFileRow, 'line'> & { line?: number }) {
  return { ...row, prompt: row.goal };
}

/** A JBB-Behaviors row (header names lower- or capitalised; the format is parsed by @magic/attack-pool). */
export const jbbRowSchema = jbbBehaviorsCsvRowSchema.transform(toItem);
export type JbbRow = z.output<typeof jbbRowSchema>;

/** JBB-Behaviors: split `harmful` (default) or `benign`, 100 rows each. */
export function loadJbb(options: LoadOptions = {}): Promise<JbbRow[]> {
  const split = options.split === 'benign' ? 'benign' : 'harmful';
  const file = options.path ?? shippedFile(`jbb/${split}-behaviors.csv`);
  return readDatasetFile(() => readJbbBehaviorsFile(file).map(toItem));
}
