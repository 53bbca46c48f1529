#!/usr/bin/env node
// Bundles a TypeScript program into one ESM file for the GPU machine (docs/gpu.md):
//   node scripts/device-bundle.mjs <entry.ts> <out.mjs>
// - every JS dependency is inlined except `webgpu` (Dawn: a native addon that .device-kit provides);
// - @magic/* imports resolve to packages/*/src (no build needed);
// - a banner defines require/__filename/__dirname, which tfjs-core's Node platform and the wasm loader use;
// - the tfjs wasm binaries are copied next to the bundle (where @magic/tensor looks for them).
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [entry, out] = process.argv.slice(2);
if (!entry || !out) {
  console.error('usage: node scripts/device-bundle.mjs <entry.ts> <out.mjs>');
  process.exit(2);
}

/** @magic/<name>[/<sub>] -> packages/<name>/src/index.ts | src/<sub>.ts */
const magicSources = {
  name: 'magic-sources',
  setup(b) {
    b.onResolve({ filter: /^@magic\/[^/]+(\/.*)?$/ }, (args) => {
      const [, name, sub] = /^@magic\/([^/]+)(?:\/(.*))?$/.exec(args.path) ?? [];
      const file = join(root, 'packages', name, 'src', sub ? `${sub}.ts` : 'index.ts');
      return existsSync(file) ? { path: file } : undefined;
    });
  },
};

const banner = [
  "import { createRequire as __magicCreateRequire } from 'node:module';",
  "import { fileURLToPath as __magicFileURLToPath } from 'node:url';",
  "import { dirname as __magicDirname } from 'node:path';",
  'const require = __magicCreateRequire(import.meta.url);',
  'const __filename = __magicFileURLToPath(import.meta.url);',
  'const __dirname = __magicDirname(__filename);',
].join('\n');

const outFile = resolve(out);
await build({
  entryPoints: [resolve(entry)],
  outfile: outFile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  plugins: [magicSources],
  banner: { js: banner },
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'silent' },
});

const req = createRequire(join(root, 'package.json'));
const wasmDist = join(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
mkdirSync(dirname(outFile), { recursive: true });
for (const f of readdirSync(wasmDist).filter((n) => n.endsWith('.wasm'))) {
  copyFileSync(join(wasmDist, f), join(dirname(outFile), f));
}
console.log(`device-bundle: ${outFile} (+ tfjs wasm binaries)`);
