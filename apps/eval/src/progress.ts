import type { ProgressEvent } from '@magic/benchmarks';
import { formatDuration, ProgressLine, type ProgressSink, progressBar } from '@magic/core';

/**
 * Progress on stderr: on a TTY one bar redrawn in place per (suite, task, phase); otherwise a plain
 * line when a phase starts, at most every `intervalMs` while it runs, and when it completes.
 */
export class EvalProgress {
  #key = '';
  #phaseStart = 0;
  #lastLine = 0;
  #lastEvent: number | undefined;
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #out: ProgressLine;

  constructor(sink: ProgressSink, options: { now?: () => number; intervalMs?: number } = {}) {
    this.#out = new ProgressLine(sink);
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
    const bar = progressBar(event.done, event.total);
    const done = event.done >= event.total;
    const text = `[${suite}] ${event.task} ${event.phase} ${bar} ${event.done}/${event.total} | ${Number.isFinite(rate) ? rate.toFixed(1) : '-'}/s | ${done ? `took ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`}`;
    // a TTY redraws every event in place; plain lines are throttled to one per interval
    if (this.#out.isTTY || fresh || done || now - this.#lastLine >= this.#intervalMs) {
      this.#lastLine = now;
      this.#out.bar(text);
    }
  }

  /** A full line (ends an open bar first). */
  line(text: string): void {
    this.#lastEvent = this.#now();
    this.#out.line(text);
  }

  /** Ends an open bar line. */
  close(): void {
    this.#out.close();
  }
}
