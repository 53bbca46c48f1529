import { describe, expect, it } from 'vitest';
import { formatDuration, ProgressLine, progressBar } from './progress-line.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, sink: { isTTY, write: (t: string) => void chunks.push(t) } };
}

describe('ProgressLine', () => {
  it('redraws bars in place on a TTY and ends an open bar before a line', () => {
    const { chunks, sink: s } = sink(true);
    const out = new ProgressLine(s);
    out.bar('a');
    out.bar('b');
    out.line('done');
    out.close();
    expect(chunks).toEqual(['\r\x1b[2Ka', '\r\x1b[2Kb', '\n', 'done\n']);
  });

  it('writes every bar as a plain line elsewhere', () => {
    const { chunks, sink: s } = sink(false);
    const out = new ProgressLine(s);
    out.bar('a');
    out.line('done');
    out.close();
    expect(out.isTTY).toBe(false);
    expect(chunks).toEqual(['a\n', 'done\n']);
  });

  it('formats durations and bars', () => {
    expect([formatDuration(9.4), formatDuration(75), formatDuration(-1), formatDuration(Number.NaN)]).toEqual([
      '9s',
      '1m15s',
      '?',
      '?',
    ]);
    expect(progressBar(1, 4, 8)).toBe('##......');
    expect(progressBar(3, 0)).toBe('.'.repeat(20));
  });
});
