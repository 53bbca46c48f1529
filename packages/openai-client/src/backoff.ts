import { z } from 'zod';

export const backoffSchema = z.object({
  /** Delay before the first retry (ms). */
  initialMs: z.number().nonnegative().default(500),
  /** Growth per retry. */
  factor: z.number().min(1).default(2),
  /** Upper bound for one delay, Retry-After excluded. */
  maxMs: z.number().nonnegative().default(20_000),
  /** Relative jitter in [0, 1]: a delay d becomes uniform in [d·(1−jitter), d·(1+jitter)], capped at maxMs. */
  jitter: z.number().min(0).max(1).default(0.2),
});
export type BackoffConfig = z.output<typeof backoffSchema>;
export type BackoffConfigInput = z.input<typeof backoffSchema>;

/** Delay before retry number `retry` (1-based). */
export function backoffDelayMs(config: BackoffConfig, retry: number, random: () => number = Math.random): number {
  const base = Math.min(config.maxMs, config.initialMs * config.factor ** Math.max(0, retry - 1));
  const spread = base * config.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(config.maxMs, base + spread));
}

/** Parses `Retry-After` (seconds or HTTP date) or `retry-after-ms`; undefined when absent or invalid. */
export function parseRetryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Sleeps `ms`, rejecting early with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
