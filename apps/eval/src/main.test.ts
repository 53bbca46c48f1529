import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureIo } from './capture-io.test-helpers.js';
import { main } from './main.js';

describe('magic-eval main exit codes', () => {
  it('--help prints the usage and exits 0 (also for compare)', async () => {
    const c = captureIo();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('Usage: magic-eval --target SPEC');
    const d = captureIo();
    expect(await main(['compare', '--help'], d.io)).toBe(0);
    expect(d.out.join('')).toContain('Usage: magic-eval compare <runA> <runB>');
  });

  it('a usage error exits 2 naming the flag', async () => {
    const c = captureIo();
    expect(await main(['--target', 'local:x', '--judge', 'local', '--limit', '0'], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/^magic-eval: --limit: '0': /);
    expect(c.err.join('')).toContain('Usage:');
    const d = captureIo();
    const dir = mkdtempSync(join(tmpdir(), 'magic-eval-main-'));
    try {
      expect(await main(['--target', 'local:x', '--judge', 'local', '--data-dir', join(dir, 'none')], d.io)).toBe(2);
      expect(d.err.join('')).toContain('--data-dir');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a run failure exits 1 with the typed error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magic-eval-main-'));
    try {
      const c = captureIo();
      const code = await main(
        [
          '--target',
          `local:${join(dir, 'missing-ckpt')}`,
          '--suite',
          'capability',
          '--device',
          'cpu',
          '--out',
          join(dir, 'o'),
        ],
        c.io,
      );
      expect(code).toBe(1);
      expect(c.err.join('')).toMatch(/magic-eval: failed: LM_(CHECKPOINT|CONFIG): .*missing-ckpt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
