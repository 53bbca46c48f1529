import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readMetrics, TINY_E2E, withoutTimings } from './e2e-helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'apps', 'trainer', 'src', 'cli.ts');

const RUN = [
  '--preset',
  'tiny',
  '--plain',
  ...TINY_E2E,
  'trainer.totalSteps=4',
  'trainer.testFreq=2',
  'trainer.saveFreq=2',
  'switchAgent.freq=2',
  'phase1.sft.maxExamples=2',
];

function start(args: string[]): {
  child: ChildProcess;
  output: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  // one node process (tsx as an import hook, not the tsx launcher, which would leave a grandchild alive after SIGKILL)
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, done };
}

describe('kill and resume (real child process)', () => {
  it('a run killed after its step-2 checkpoint and resumed logs the same metrics as an uninterrupted run', async () => {
    const full = mkdtempSync(join(tmpdir(), 'magic-full-'));
    const cut = mkdtempSync(join(tmpdir(), 'magic-cut-'));

    const a = start([...RUN, '--run-dir', full]);
    const b = start([...RUN, '--run-dir', cut]);
    // kill b as soon as it reports the step-2 checkpoint
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (b.output().includes('checkpoint @2:')) {
          clearInterval(timer);
          b.child.kill('SIGKILL');
          resolve();
        }
        if (b.child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`run exited before its checkpoint: ${b.output()}`));
        }
      }, 20);
    });
    const killed = await b.done;
    expect(killed.signal).toBe('SIGKILL');
    const partial = readMetrics(cut).filter((r) => r['phase'] === 'phase2');
    expect(partial.length).toBeLessThan(4);

    const resumed = start([...RUN, '--run-dir', cut, '--resume']);
    const [fa, rb] = await Promise.all([a.done, resumed.done]);
    expect(fa.code, a.output()).toBe(0);
    expect(rb.code, resumed.output()).toBe(0);
    expect(resumed.output()).not.toContain('[phase1]');

    const expected = withoutTimings(readMetrics(full));
    expect(expected.filter((r) => r['phase'] === 'phase2').length).toBe(4);
    expect(withoutTimings(readMetrics(cut))).toEqual(expected);
  });
});
