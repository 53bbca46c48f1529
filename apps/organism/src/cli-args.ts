import { at } from '@magic/core';
import { OrganismUsageError } from './errors.js';

/** `--name value` / `--flag` parsing; unknown options are usage errors. */
export function parseArgs(
  argv: string[],
  known: Record<string, 'string' | 'boolean'>,
): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = at(argv, i, 'argument');
    if (!a.startsWith('--')) throw new OrganismUsageError(`unexpected argument '${a}'`);
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const kind = known[name];
    if (kind === undefined) throw new OrganismUsageError(`unknown option --${name}`);
    if (kind === 'boolean') out[name] = true;
    else {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new OrganismUsageError(`--${name} needs a value`);
      out[name] = v;
    }
  }
  return out;
}

export function numberArg(args: Record<string, string | boolean>, name: string, fallback: number): number {
  const v = args[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n <= 0)
    throw new OrganismUsageError(`--${name} must be a positive number`);
  return n;
}
