import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchmarkNotAvailableError } from '../errors.js';

/** The `data/` folder shipped with this package (works from src/ and from dist/). */
export function packageDataDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i += 1) {
    const candidate = join(dir, 'data');
    if (existsSync(join(candidate, 'harmbench'))) return candidate;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data');
}

/** Options every loader accepts: an explicit file (or directory for MMLU) overrides the shipped copy. */
export interface LoadOptions {
  path?: string | undefined;
  split?: string | undefined;
  /** Seed of loaders that randomise (GPQA's option order). */
  seed?: number | undefined;
}

/** The shipped file `data/<relative>`. */
export function shippedFile(relative: string): string {
  return join(packageDataDir(), relative);
}

/** `path` when given, else throws a typed error saying how to get the data. */
export function requirePath(benchmark: string, path: string | undefined, howToGet: string): string {
  if (path === undefined) throw new BenchmarkNotAvailableError(benchmark, howToGet);
  return path;
}
