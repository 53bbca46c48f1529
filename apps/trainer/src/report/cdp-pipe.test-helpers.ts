// A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated
// JSON): enough to open a page in Debian's headless Chromium and watch its console, without a browser download.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = '/usr/bin/chromium';

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

export class HeadlessChromium {
  readonly events: CdpEvent[] = [];
  #child: ChildProcess;
  #profile: string;
  #nextId = 1;
  #pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  #waiters: { method: string; resolve: (e: CdpEvent) => void }[] = [];
  #buffer = '';

  private constructor(child: ChildProcess, profile: string) {
    this.#child = child;
    this.#profile = profile;
    (child.stdio[4] as Readable).on('data', (chunk: Buffer) => this.#onData(chunk.toString('utf8')));
  }

  /** Starts Chromium headless with a fresh profile and no network services. */
  static launch(): HeadlessChromium {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium`);
    const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    const child = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    return new HeadlessChromium(child, profile);
  }

  #onData(text: string): void {
    this.#buffer += text;
    let end = this.#buffer.indexOf('\0');
    while (end >= 0) {
      const msg = JSON.parse(this.#buffer.slice(0, end)) as CdpMessage;
      this.#buffer = this.#buffer.slice(end + 1);
      if (msg.id !== undefined) {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result ?? {});
      } else if (msg.method) {
        const event = {
          method: msg.method,
          params: msg.params ?? {},
          ...(msg.sessionId ? { sessionId: msg.sessionId } : {}),
        };
        this.events.push(event);
        const ready = this.#waiters.filter((w) => w.method === event.method);
        this.#waiters = this.#waiters.filter((w) => w.method !== event.method);
        for (const w of ready) w.resolve(event);
      }
      end = this.#buffer.indexOf('\0');
    }
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const done = new Promise<Record<string, unknown>>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    (this.#child.stdio[3] as Writable).write(
      `${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`,
    );
    return done;
  }

  /** Resolves with the next event of that name. */
  next(method: string): Promise<CdpEvent> {
    return new Promise((resolve) => this.#waiters.push({ method, resolve }));
  }

  /** Opens a tab on `url` with console, log and runtime errors recorded; resolves with its session once loaded. */
  async open(url: string): Promise<string> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    for (const domain of ['Runtime', 'Log', 'Page', 'Network']) await this.send(`${domain}.enable`, {}, sessionId);
    const loaded = this.next('Page.loadEventFired');
    await this.send('Page.navigate', { url }, sessionId);
    await loaded;
    return sessionId;
  }

  /** Evaluates `expression` in the page and returns its JSON value. */
  async evaluate<T>(sessionId: string, expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)) as {
      result: { value: T };
      exceptionDetails?: unknown;
    };
    if (r.exceptionDetails) throw new Error(`page evaluation failed: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value;
  }

  /** URLs the page requested (the document itself included). */
  requests(): string[] {
    return this.events
      .filter((e) => e.method === 'Network.requestWillBeSent')
      .map((e) => (e.params['request'] as { url: string }).url);
  }

  /** Console errors, uncaught exceptions and error-level log entries seen so far. */
  errors(): CdpEvent[] {
    return this.events.filter(
      (e) =>
        e.method === 'Runtime.exceptionThrown' ||
        (e.method === 'Runtime.consoleAPICalled' && ['error', 'assert'].includes(String(e.params['type']))) ||
        (e.method === 'Log.entryAdded' && (e.params['entry'] as { level?: string } | undefined)?.level === 'error'),
    );
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) resolve();
      else this.#child.once('exit', () => resolve());
    });
    await Promise.race([this.send('Browser.close').catch(() => undefined), exited]);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    rmSync(this.#profile, { recursive: true, force: true });
  }
}
