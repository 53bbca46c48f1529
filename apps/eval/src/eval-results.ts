import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type RunResults, runResultsSchema } from '@magic/benchmarks';
import { z } from 'zod';
import { ResultsFileError } from './errors.js';

/** Facts about one magic-eval invocation (report header, reproducibility). */
export const evalMetaSchema = z.object({
  target: z.string(),
  judge: z.string().nullable(),
  suites: z.array(z.string()),
  backend: z.string().nullable(),
  startedAt: z.string(),
  wallSeconds: z.number().nonnegative(),
  argv: z.array(z.string()),
  node: z.string(),
  limit: z.number().int().positive().nullable(),
  seed: z.number().int(),
  cacheFile: z.string(),
  /** Prompts cut from the left to fit a local model's context window. */
  truncatedPrompts: z.number().int().nonnegative(),
  paths: z.record(z.string(), z.string()),
});
export type EvalMeta = z.output<typeof evalMetaSchema>;

/** magic-eval's results.json: run metadata plus one runResultsSchema object per suite. */
export const evalResultsSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.literal('magic-eval'),
  meta: evalMetaSchema,
  runs: z.array(runResultsSchema).min(1),
});
export type EvalResults = z.output<typeof evalResultsSchema>;

/**
 * Reads a run: a folder holding results.json, or the file itself. Accepts magic-eval's results.json
 * or a bare runSuite RunResults object (wrapped with minimal metadata). Anything else is a
 * ResultsFileError naming the file and the first offending field.
 */
export function readEvalResults(path: string): EvalResults {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'results.json') : path;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ResultsFileError(file, undefined, `cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ResultsFileError(file, undefined, `is not JSON (${(e as Error).message})`);
  }
  const isWrapped = typeof json === 'object' && json !== null && 'runs' in json;
  if (!isWrapped) {
    const bare = runResultsSchema.safeParse(json);
    if (bare.success) return wrapBare(bare.data);
  }
  const parsed = evalResultsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ResultsFileError(file, issue?.path.join('.') || '(root)', issue?.message ?? 'invalid results file');
  }
  return parsed.data;
}

function wrapBare(run: RunResults): EvalResults {
  return {
    schemaVersion: 1,
    tool: 'magic-eval',
    meta: {
      target: run.target,
      judge: run.judge,
      suites: [run.suite],
      backend: null,
      startedAt: run.createdAt,
      wallSeconds: run.tasks.reduce((s, t) => s + t.wallSeconds, 0),
      argv: [],
      node: '',
      limit: run.limit,
      seed: run.seed,
      cacheFile: '',
      truncatedPrompts: 0,
      paths: {},
    },
    runs: [run],
  };
}
