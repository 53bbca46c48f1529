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
    banner: options.bin ? { js: '#!/usr/bin/env node' } : undefined,
  });
}
