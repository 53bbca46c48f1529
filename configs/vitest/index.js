// Shared vitest preset: tests run against source (aliases @magic/* -> packages/*/src/index.ts).
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Aliases every workspace package @magic/<name> (and subpaths) to its source. */
export function magicAliases() {
  const alias = [];
  for (const dir of ['packages']) {
    for (const name of readdirSync(join(root, dir))) {
      const src = join(root, dir, name, 'src');
      if (!existsSync(join(src, 'index.ts'))) continue;
      alias.push({ find: new RegExp(`^@magic/${name}/(.*)$`), replacement: `${src}/$1.ts` });
      alias.push({ find: new RegExp(`^@magic/${name}$`), replacement: join(src, 'index.ts') });
    }
  }
  return alias;
}

/** @param {Record<string, unknown>} [test] */
export function magicVitest(test = {}) {
  return {
    resolve: { alias: magicAliases() },
    test: { environment: 'node', testTimeout: 60_000, hookTimeout: 60_000, ...test },
  };
}
