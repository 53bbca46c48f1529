import { readXsTestFile, xstestCsvRowSchema, xstestJsonRowSchema } from '@magic/attack-pool';
import { readDatasetFile } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

/** An XSTest prompt; `label` is derived from `type` (`contrast_*` = unsafe) for the safety-eval JSON. */
export interface XstestRow {
  id: string;
  prompt: string;
  type: string;
  label: 'safe' | 'unsafe';
  focus: string;
  note: string;
}

/** safety-eval's XSTest JSON element and the upstream CSV row (both formats parsed by @magic/attack-pool). */
export const xstestJsonSchema = xstestJsonRowSchema;
export const xstestCsvSchema = xstestCsvRowSchema;

/** XSTest v2 (250 safe + 200 contrast-unsafe). Reads the safety-eval JSON (default) or the upstream CSV. */
export function loadXstest(options: LoadOptions = {}): Promise<XstestRow[]> {
  const file = options.path ?? shippedFile('xstest/exaggerated_safety.json');
  return readDatasetFile(() => readXsTestFile(file).map(({ line: _line, ...row }): XstestRow => row));
}
