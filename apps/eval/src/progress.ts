import type { ProgressEvent } from '@magic/benchmarks';

export interface ProgressSink {
  isTTY: boolean;
  write(text: string): void;
}

function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Progress on stderr: on a TTY one bar redrawn in place per (suite, task, phase); otherwise a plain
 * line when a phase starts, at most every `intervalMs` while it runs, and when it completes.
 */
export class EvalProgress {
  #key = '';
  #phaseStart = 0;
  #lastLine = 0;
  #open = false;
  #lastEvent: number | undefined;
  readonly #now: () => number;
  readonly #intervalMs: number;

  constructor(
    private readonly sink: ProgressSink,
    options: { now?: () => number; intervalMs?: number } = {},
  ) {
    this.#now = options.now ?? (() => performance.now());
    this.#intervalMs = options.intervalMs ?? 10_000;
  }

  /** A progress event of `suite`. */
  update(suite: string, event: ProgressEvent): void {
    const key = `${suite}/${event.task}/${event.phase}`;
    const now = this.#now();
    const fresh = key !== this.#key;
    if (fresh) {
      this.#key = key;
      // the first event of a phase arrives after its first batch: the phase began at the previous event
      this.#phaseStart = this.#lastEvent ?? now;
      this.#lastLine = Number.NEGATIVE_INFINITY;
    }
    this.#lastEvent = now;
    const elapsed = (now - this.#phaseStart) / 1000;
    const rate = event.done > 0 && elapsed > 0 ? event.done / elapsed : Number.NaN;
    const eta = rate > 0 ? (event.total - event.done) / rate : Number.NaN;
    const width = 20;
    const filled = event.total > 0 ? Math.round((event.done / event.total) * width) : 0;
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const done = event.done >= event.total;
    const text = `[${suite}] ${event.task} ${event.phase} ${bar} ${event.done}/${event.total} | ${Number.isFinite(rate) ? rate.toFixed(1) : '-'}/s | ${done ? `took ${fmtDuration(elapsed)}` : `ETA ${fmtDuration(eta)}`}`;
    if (this.sink.isTTY) {
      this.sink.write(`\r\x1b[2K${text}`);
      this.#open = true;
      return;
    }
    if (fresh || done || now - this.#lastLine >= this.#intervalMs) {
      this.#lastLine = now;
      this.sink.write(`${text}\n`);
    }
  }

  /** A full line (ends an open bar first). */
  line(text: string): void {
    this.#lastEvent = this.#now();
    this.close();
    this.sink.write(`${text}\n`);
  }

  /** Ends an open bar line. */
  close(): void {
    if (this.#open) this.sink.write('\n');
    this.#open = false;
  }
}
