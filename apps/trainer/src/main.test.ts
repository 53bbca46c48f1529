import { describe, expect, it } from 'vitest';
import { main } from './main.js';

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { isTTY: false, write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
      env: {},
    },
  };
}

describe('main', () => {
  it('--help prints usage and exits 0', async () => {
    const { out, io: i } = io();
    expect(await main(['--help'], i)).toBe(0);
    expect(out.stdout).toContain('Usage: magic-train');
  });

  it('an unknown key exits 2 naming the key, before any model is built', async () => {
    const { out, io: i } = io();
    expect(await main(['--preset', 'tiny', 'trainer.totalStep=3'], i)).toBe(2);
    expect(out.stderr).toContain('trainer.totalStep');
  });

  it('a bad environment value exits 2 naming the variable', async () => {
    const { out, io: i } = io();
    expect(await main(['--preset', 'tiny'], { ...i, env: { REWARD_HARM: 'high' } })).toBe(2);
    expect(out.stderr).toContain('REWARD_HARM');
  });
});
