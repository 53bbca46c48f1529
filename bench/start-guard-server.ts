// `magic-guard serve --port 0` as a child process, for the benches that measure the guard as users run it.

import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { at } from '@magic/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Starts `magic-guard serve --port 0 ...serveArgs` and resolves with its URL once it prints it. */
export function startGuardServer(serveArgs: readonly string[]): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [join(root, 'packages/judges/bin/magic-guard.js'), 'serve', '--port', '0', ...serveArgs],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const m = /serving (http:\/\/\S+)/.exec(buffer);
      if (m) resolve({ url: at(m, 1, 'served URL'), stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`magic-guard serve exited with ${code}`)));
  });
}
