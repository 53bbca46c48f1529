// Every command a workspace package declares in `bin` runs straight from a checkout (no build) and answers
// --help / -h with its usage on stdout and exit code 0. `.ci/run` checks the same through `npx --no-install`.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
const cwd = mkdtempSync(join(tmpdir(), 'cli-help-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

interface Manifest {
  name: string;
  bin?: Record<string, string>;
  files?: string[];
}

const bins = ['apps', 'packages'].flatMap((group) =>
  readdirSync(join(root, group)).flatMap((name) => {
    const dir = join(root, group, name);
    const file = join(dir, 'package.json');
    if (!existsSync(file)) return [];
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    return Object.entries(pkg.bin ?? {}).map(([bin, target]) => ({ pkg, dir, bin, target }));
  }),
);

describe('CLI bins from a checkout', () => {
  it('declares every command', () => {
    expect(bins.map((b) => b.bin).sort()).toEqual([
      'magic-attack-pool',
      'magic-eval',
      'magic-guard',
      'magic-organism',
      'magic-serve',
      'magic-train',
    ]);
  });

  it.each(bins)('$bin points at a committed launcher that the package publishes', ({ pkg, dir, target }) => {
    // dist/ does not exist at install time, so npm could not link it and npx would fall through to the registry
    expect(target.startsWith('./bin/')).toBe(true);
    expect(existsSync(join(dir, target))).toBe(true);
    expect(pkg.files).toContain('bin');
  });

  it.each(bins)('$bin --help and -h print the usage and exit 0', async ({ bin, dir, target }) => {
    for (const flag of ['--help', '-h']) {
      // from an unrelated folder, as npx runs it: the launcher must not depend on the caller's cwd
      const { stdout, stderr } = await run(process.execPath, [join(dir, target), flag], { cwd });
      expect(stdout).toContain(bin);
      expect(stderr).toBe('');
    }
  });
});
