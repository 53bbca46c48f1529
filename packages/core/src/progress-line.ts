/** Where progress text goes (stderr in the apps); `isTTY` picks redraw-in-place over plain lines. */
export interface ProgressSink {
  isTTY: boolean;
  write(text: string): void;
}

/** `75` -> `1m15s`, `9` -> `9s`; `?` for a negative or unknown duration. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** A `#`/`.` bar of `width` characters filled to done/total (empty when total is 0). */
export function progressBar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
}

/**
 * The one progress sink both apps write through: on a TTY a bar is one line redrawn in place, elsewhere
 * every bar is a plain line; a full line first ends an open bar so the two never share a row.
 */
export class ProgressLine {
  #open = false;

  constructor(private readonly sink: ProgressSink) {}

  get isTTY(): boolean {
    return this.sink.isTTY;
  }

  /** A bar's text: redrawn in place on a TTY, a plain line otherwise. */
  bar(text: string): void {
    if (this.sink.isTTY) {
      this.sink.write(`\r\x1b[2K${text}`);
      this.#open = true;
    } else this.sink.write(`${text}\n`);
  }

  /** A full line (ends an open bar first). */
  line(text: string): void {
    this.close();
    this.sink.write(`${text}\n`);
  }

  /** Ends an open bar line. */
  close(): void {
    if (this.#open) this.sink.write('\n');
    this.#open = false;
  }
}
