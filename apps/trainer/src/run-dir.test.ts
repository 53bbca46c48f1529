import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@magic/game';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { newRunDir, resumeRunDir, runTimestamp } from './run-dir.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'run-dir-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const at = new Date('2026-12-02T05:01:33.456Z');

function fakeRun(name: string, checkpoint: boolean): void {
  mkdirSync(join(root, name, 'checkpoints'), { recursive: true });
  if (checkpoint) writeFileSync(join(root, name, 'checkpoints', 'latest.json'), '{"dir":"global_step_2"}');
}

describe('run directories', () => {
  it('a {timestamp} template gives a fresh folder per run; a plain path is kept', () => {
    expect(runTimestamp(at)).toBe('2026-12-02T05-01-33Z');
    const template = join(root, '{timestamp}');
    const first = newRunDir(template, at);
    expect(first).toBe(join(root, '2026-12-02T05-01-33Z'));
    mkdirSync(first);
    const second = newRunDir(template, at); // same second: the first run's folder is not reused
    expect(second).toBe(join(root, '2026-12-02T05-01-33Z-2'));
    mkdirSync(second);
    expect(newRunDir(template, at)).toBe(join(root, '2026-12-02T05-01-33Z-3'));
    expect(newRunDir(join(root, 'fixed'), at)).toBe(join(root, 'fixed'));
  });

  it('--resume finds the newest run that has a checkpoint', () => {
    fakeRun('2026-12-01T23-59-59Z', true);
    fakeRun('2026-12-02T05-01-33Z', true);
    fakeRun('2026-12-02T05-01-33Z-2', true);
    fakeRun('2026-12-02T06-00-00Z', false); // started, killed before its first checkpoint
    fakeRun('notes', true);
    expect(resumeRunDir(join(root, '{timestamp}'))).toBe(join(root, '2026-12-02T05-01-33Z-2'));
    expect(resumeRunDir(join(root, 'fixed'))).toBe(join(root, 'fixed'));
  });

  it('--resume with no run to continue is a config error naming the folder', () => {
    let err: unknown;
    try {
      resumeRunDir(join(root, '{timestamp}'));
    } catch (e) {
      err = e;
    }
    expect(ConfigError.isInstance(err)).toBe(true);
    expect((err as Error).message).toContain(root);
    expect(() => newRunDir(join(root, '{timestamp}', 'x'))).toThrow(/last path segment/);
  });

  it('magic-train --resume without a run exits 2 before building anything', async () => {
    let stderr = '';
    const io = {
      stdout: { isTTY: false, write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
    };
    const code = await main(['--preset', 'tiny', '--resume', '--set', `trainer.runDir=${root}/{timestamp}`], io);
    expect(code).toBe(2);
    expect(stderr).toContain('no run with a checkpoint');
  });
});
