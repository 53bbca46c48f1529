import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = (args: string[]) =>
  run(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'apps', 'organism', 'src', 'cli.ts'), ...args], {
    cwd: root,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('magic-organism CLI', () => {
  it('prints help with exit 0, and answers usage errors with exit 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('magic-organism corpus');
    expect(help.stdout).toContain('magic-organism tokenizer');
    expect(help.stdout).toContain('magic-organism eval [options]');
    expect(help.stdout).toContain('magic-organism report --run DIR');
    const unknown = await cli(['pretrain-nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'pretrain-nope'");
    const missing = await cli(['corpus']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--python-docs DIR is required');
    expect(help.stdout).toContain('--task-chats N');
    const tasks = await cli(['corpus', '--python-docs', 'x', '--task-chats', '1.5']);
    expect(tasks.code).toBe(2);
    expect(tasks.stderr).toContain('--task-chats must be a whole number from 1 to 12');
  });

  it('fails with exit 1 and the reason when the corpus dir is missing', async () => {
    const r = await cli([
      'tokenizer',
      '--corpus',
      join(root, 'no-such-corpus-dir'),
      '--out',
      join(root, 'no-such-out'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("run 'magic-organism corpus' first");
  });
});
