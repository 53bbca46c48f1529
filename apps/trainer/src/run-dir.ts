import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '@magic/game';

/** Placeholder in `trainer.runDir` (the presets use `runs/<preset>/{timestamp}`): a fresh folder for each run. */
export const TIMESTAMP = '{timestamp}';
const STAMP = String.raw`\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(?:-\d+)?`;

/** `2026-12-02T05-01-33Z`: UTC, sortable, no ':' (not allowed in Windows paths). */
export function runTimestamp(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

function splitTemplate(template: string): { parent: string; pattern: RegExp } {
  const name = basename(template);
  if (!name.includes(TIMESTAMP) || dirname(template).includes(TIMESTAMP)) {
    throw new ConfigError('trainer.runDir', 'config', `${TIMESTAMP} may appear only in the last path segment`);
  }
  const [head, tail] = name.split(TIMESTAMP) as [string, string];
  const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { parent: dirname(template), pattern: new RegExp(`^${quote(head)}${STAMP}${quote(tail)}$`) };
}

/**
 * The run directory of a new run: `{timestamp}` becomes the current UTC time, with `-2`, `-3`, ... added when a
 * folder of that name exists (two runs in one second), so runs never overwrite each other. Without the
 * placeholder the path is used as given (an explicit --run-dir).
 */
export function newRunDir(template: string, now = new Date()): string {
  if (!template.includes(TIMESTAMP)) return template;
  splitTemplate(template);
  const base = template.replace(TIMESTAMP, runTimestamp(now));
  if (!existsSync(base)) return base;
  for (let i = 2; ; i++) {
    const dir = template.replace(TIMESTAMP, `${runTimestamp(now)}-${i}`);
    if (!existsSync(dir)) return dir;
  }
}

/** The run to resume: the path itself, or for a `{timestamp}` template the newest matching run with a checkpoint. */
export function resumeRunDir(template: string): string {
  if (!template.includes(TIMESTAMP)) return template;
  const { parent, pattern } = splitTemplate(template);
  const runs = existsSync(parent)
    ? readdirSync(parent)
        .filter((name) => pattern.test(name) && existsSync(join(parent, name, 'checkpoints', 'latest.json')))
        .sort(byStamp)
    : [];
  const newest = runs.at(-1);
  if (newest === undefined) {
    throw new ConfigError('--resume', 'command line', `no run with a checkpoint under ${parent}/ (pass --run-dir DIR)`);
  }
  return join(parent, newest);
}

/** Timestamp order; a `-N` suffix (same second) sorts after the plain name and by N. */
function byStamp(a: string, b: string): number {
  const key = (s: string) =>
    s.replace(/Z(?:-(\d+))?/, (_m, n: string | undefined) => `Z-${(n ?? '1').padStart(6, '0')}`);
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}
