#!/usr/bin/env node
// Bundles a TypeScript program into one ESM file for the GPU machine (docs/gpu.md):
//   node scripts/device-bundle.mjs <entry.ts> <out.mjs>
// - every JS dependency is inlined except `webgpu` (Dawn: a native addon that .device-kit provides);
// - @magic/* imports resolve to packages/*/src (no build needed);
// - a banner defines require/__filename/__dirname, which tfjs-core's Node platform and the wasm loader use;
// - the tfjs wasm binaries are copied next to the bundle (where @magic/tensor looks for them);
// - `import.meta.url` in our own sources (packages/*/src, apps/*/src) keeps pointing at the source
//   file (relative to the bundle), so shipped data, presets and guard models are found in the
//   working tree that travels with the bundle.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [entry, out] = process.argv.slice(2);
if (!entry || !out) {
  console.error('usage: node scripts/device-bundle.mjs <entry.ts> <out.mjs>');
  process.exit(2);
}
const outFile = resolve(out);

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

/** Files whose import.meta.url must stay the bundle's (they look for files copied next to it). */
const KEEP_BUNDLE_URL = new Set([join(root, 'packages', 'tensor', 'src', 'backend', 'wasm.ts')]);

const sourceUrls = {
  name: 'source-urls',
  setup(b) {
    const own = new RegExp(`^${root.replaceAll(sep, '/')}/(packages|apps)/[^/]+/src/.*\\.ts$`);
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!own.test(args.path.replaceAll(sep, '/')) || KEEP_BUNDLE_URL.has(args.path)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(dirname(outFile), args.path).replaceAll(sep, '/');
      const url = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts', resolveDir: dirname(args.path) };
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
  plugins: [magicSources, sourceUrls],
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
