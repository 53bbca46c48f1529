import { orBenchCsvRowSchema, readOrBenchFile } from '@magic/attack-pool';
import type { z } from 'zod';
import { readDatasetFile } from '../io.js';
import { type LoadOptions, requirePath } from './paths.js';

/** An OR-Bench row (`hard-1k`: over-refusal, `toxic`: refusal); the format is parsed by @magic/attack-pool. */
export const orBenchRowSchema = orBenchCsvRowSchema;
export type OrBenchRow = z.output<typeof orBenchRowSchema>;

/** OR-Bench (CC BY 4.0 on HF bench-llm/or-bench; not shipped here): `path` to or-bench-hard-1k.csv or or-bench-toxic.csv. */
export function loadOrBench(options: LoadOptions = {}): Promise<OrBenchRow[]> {
  const file = requirePath(
    'orBench',
    options.path,
    'download or-bench-hard-1k.csv / or-bench-toxic.csv from HF bench-llm/or-bench',
  );
  return readDatasetFile(() => readOrBenchFile(file).map(({ line: _line, ...row }): OrBenchRow => row));
}
