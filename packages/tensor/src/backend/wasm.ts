import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WASM_FILE = 'tfjs-backend-wasm.wasm';

/**
 * Where the tfjs wasm binaries are: `dir` (InitBackendOptions.wasmDir; CLIs: $MAGIC_WASM_DIR), else next to this
 * module (a bundle built by scripts/device-bundle.mjs copies them there), else the installed
 * @tensorflow/tfjs-backend-wasm/dist/. Returns a directory with a trailing slash, or a reason why none was found.
 */
export function resolveWasmDir(dir?: string): { dir: string } | { reason: string } {
  const candidates: string[] = [];
  if (dir) candidates.push(dir);
  try {
    candidates.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    // not a file: URL (unusual bundling); skip
  }
  try {
    const req = createRequire(import.meta.url);
    candidates.push(join(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // package not resolvable from here (bundled program without node_modules)
  }
  for (const dir of candidates) {
    if (existsSync(join(dir, WASM_FILE))) return { dir: dir.endsWith('/') ? dir : `${dir}/` };
  }
  return {
    reason: `${WASM_FILE} not found (looked in ${candidates.join(', ') || 'nowhere'}; pass wasmDir / set MAGIC_WASM_DIR)`,
  };
}
