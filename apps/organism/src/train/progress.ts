/** A one-line progress bar on a TTY, a line every `intervalMs` otherwise (logs, CI). */
export class ProgressBar {
  private last = 0;
  constructor(
    private readonly out: { write(s: string): unknown; isTTY?: boolean },
    private readonly label: string,
    private readonly total: number,
    private readonly intervalMs = 10_000,
  ) {}

  update(done: number, detail: string, force = false): void {
    const now = Date.now();
    const tty = this.out.isTTY === true;
    if (!force && !tty && now - this.last < this.intervalMs) return;
    if (!force && tty && now - this.last < 200) return;
    this.last = now;
    const width = 24;
    const filled = Math.round((Math.min(done, this.total) / Math.max(1, this.total)) * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const line = `${this.label} ${bar} ${done}/${this.total} ${detail}`;
    this.out.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  finish(): void {
    if (this.out.isTTY === true) this.out.write('\n');
  }
}

/** "3m12s" */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
