// Shared tsup preset: ESM + .d.ts + sourcemaps. Dependencies stay external (tsup's default).
import { defineConfig } from 'tsup';

/** @param {{ entry?: Record<string,string> | string[], bin?: boolean }} [options] */
export function magicTsup(options = {}) {
  return defineConfig({
    entry: options.entry ?? ['src/index.ts'],
    format: ['esm'],
    dts: { compilerOptions: { paths: {} } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    tsconfig: 'tsconfig.json',
    // never a bundled copy of the contracts: one MagicError class per install, so `instanceof` works across packages
    external: ['@magic/core'],
    banner: options.bin ? { js: '#!/usr/bin/env node' } : undefined,
  });
}
