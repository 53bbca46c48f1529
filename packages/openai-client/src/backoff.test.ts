import { describe, expect, it } from 'vitest';
import { backoffDelayMs, backoffSchema, parseRetryAfterMs } from './backoff.js';

describe('backoff', () => {
  it('grows exponentially, caps at maxMs and applies symmetric jitter', () => {
    const config = backoffSchema.parse({ initialMs: 100, factor: 2, maxMs: 1000, jitter: 0.5 });
    expect(backoffDelayMs(config, 1, () => 0.5)).toBe(100);
    expect(backoffDelayMs(config, 3, () => 0.5)).toBe(400);
    expect(backoffDelayMs(config, 10, () => 0.5)).toBe(1000);
    expect(backoffDelayMs(config, 2, () => 0)).toBe(100);
    expect(backoffDelayMs(config, 2, () => 0.999999)).toBeCloseTo(300, 2);
    expect(backoffDelayMs(config, 10, () => 0.999999)).toBe(1000);
  });

  it('parses Retry-After seconds, HTTP dates and retry-after-ms', () => {
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after-ms': '150' }))).toBe(150);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfterMs(new Headers())).toBeUndefined();
  });
});
