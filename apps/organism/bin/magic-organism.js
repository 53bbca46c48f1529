#!/usr/bin/env node
// magic-organism: in a checkout of the monorepo (src/ present) the TypeScript source runs through tsx, so the
// command works right after `npm install` with no build; a published package ships only dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
  await import(source.href);
} else {
  await import('../dist/cli.js');
}
