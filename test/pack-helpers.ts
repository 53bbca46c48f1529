// Packs workspace packages the way `npm publish` would and installs the tarballs into an empty project, so a
// test sees exactly what a user of the published package gets (no workspace links, no unpublished siblings).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds `packages/<name>` with tsup and packs it into `dest`; returns the tarball's path. */
export function buildAndPack(name: string, dest: string): string {
  const pkgDir = join(repoRoot, 'packages', name);
  execFileSync('npx', ['tsup'], { cwd: pkgDir, stdio: 'pipe' });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], { cwd: pkgDir, encoding: 'utf8' });
  const [{ filename }] = JSON.parse(out) as [{ filename: string }];
  return join(dest, filename);
}

/** Version installed in the workspace, so the temp project resolves it from npm's cache. */
export function localVersion(name: string): string {
  const file = join(repoRoot, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Creates `<work>/project` with an empty package.json and `npm install`s `specs` (tarball paths or name@version). */
export function installIntoEmptyProject(work: string, specs: string[]): string {
  const project = join(work, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'standalone-user', private: true, type: 'module' }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], {
    cwd: project,
    stdio: 'pipe',
  });
  return project;
}

/** The @magic/* packages that ended up in the project's node_modules (sorted). */
export function installedMagicPackages(project: string): string[] {
  return readdirSync(join(project, 'node_modules', '@magic')).sort();
}
