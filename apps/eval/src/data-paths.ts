import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { benchmarkNames, suites } from '@magic/benchmarks';
import { EvalCliError } from './errors.js';

/** Every name `paths` accepts: task ids of all suites and benchmark names. */
export function dataNames(): string[] {
  const tasks = Object.values(suites).flatMap((s) => s.tasks.map((t) => t.id));
  return [...new Set([...tasks, ...benchmarkNames])];
}

const normalize = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

/** Checks --path names (task id or benchmark name, case and -/_ insensitive) and returns them canonical. */
export function canonicalPaths(paths: Record<string, string>): Record<string, string> {
  const byNorm = new Map(dataNames().map((n) => [normalize(n), n]));
  const out: Record<string, string> = {};
  for (const [name, file] of Object.entries(paths)) {
    const canonical = byNorm.get(normalize(name));
    if (!canonical) {
      throw new EvalCliError('--path', `'${name}' is neither a task id nor a benchmark (${dataNames().join(', ')})`);
    }
    out[canonical] = file;
  }
  return out;
}

/**
 * Data paths for runSuite: entries of `dataDir` whose name (without extension; case, '-' and '_'
 * ignored) is a task id or benchmark name (e.g. wildguardtest.csv, or-bench-hard.csv, cosafe/),
 * then explicit --path entries, which win.
 */
export function resolveDataPaths(dataDir: string | undefined, paths: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (dataDir !== undefined) {
    if (!existsSync(dataDir)) throw new EvalCliError('--data-dir', `'${dataDir}' does not exist`);
    const byNorm = new Map(dataNames().map((n) => [normalize(n), n]));
    for (const entry of readdirSync(dataDir).sort()) {
      const stem = entry.replace(/\..*$/, '');
      const name = byNorm.get(normalize(stem));
      if (name && out[name] === undefined) out[name] = join(dataDir, entry);
    }
  }
  for (const [name, file] of Object.entries(canonicalPaths(paths))) {
    if (!existsSync(file)) throw new EvalCliError('--path', `${name}=${file}: no such file or folder`);
    out[name] = file;
  }
  return out;
}
