import { defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { EvalProgress } from './progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, sink: { isTTY, write: (s: string) => writes.push(s) } };
}

describe('EvalProgress', () => {
  it('redraws one line in place on a TTY and ends it before a full line', () => {
    const s = sink(true);
    let now = 0;
    const p = new EvalProgress(s.sink, { now: () => now });
    p.line('suite safety: starting');
    now = 1000;
    p.update('safety', { task: 'dan', phase: 'generate', done: 8, total: 16 });
    now = 2000;
    p.update('safety', { task: 'dan', phase: 'generate', done: 16, total: 16 });
    p.line('done');
    expect(s.writes[0]).toBe('suite safety: starting\n');
    expect(s.writes[1]).toBe('\r\x1b[2K[safety] dan generate ##########.......... 8/16 | 8.0/s | ETA 1s');
    expect(s.writes[2]).toBe('\r\x1b[2K[safety] dan generate #################### 16/16 | 8.0/s | took 2s');
    expect(s.writes.slice(3)).toEqual(['\n', 'done\n']);
  });

  it('prints plain lines on a pipe: phase start, every intervalMs, and completion', () => {
    const s = sink(false);
    let now = 0;
    const p = new EvalProgress(s.sink, { now: () => now, intervalMs: 10_000 });
    for (let done = 1; done <= 30; done += 1) {
      now = done * 1000;
      p.update('capability', { task: 'gsm8k', phase: 'generate', done, total: 30 });
    }
    p.update('capability', { task: 'gsm8k', phase: 'judge', done: 1, total: 2 });
    expect(s.writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(s.writes.map((w) => w.split(' ').slice(0, 3).join(' ') + defined(w.match(/ (\d+\/\d+) /), 'd')[0])).toEqual([
      '[capability] gsm8k generate 1/30 ',
      '[capability] gsm8k generate 11/30 ',
      '[capability] gsm8k generate 21/30 ',
      '[capability] gsm8k generate 30/30 ',
      '[capability] gsm8k judge 1/2 ',
    ]);
  });
});
