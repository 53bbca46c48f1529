import { describe, expect, it } from 'vitest';
import { deriveSeed, mulberry32, SeededRng } from './rng.js';

describe('mulberry32', () => {
  it('matches an independent implementation (Python port) for seed 0', () => {
    const rng = mulberry32(0);
    expect(rng()).toBeCloseTo(0.26642920868471265, 15);
    expect(rng()).toBeCloseTo(0.0003297457005828619, 15);
    expect(rng()).toBeCloseTo(0.2232720274478197, 15);
  });

  it('gives the same stream as SeededRng.next for the same seed, and another for another seed', () => {
    const f = mulberry32(1234);
    const r = new SeededRng(1234);
    const a = Array.from({ length: 50 }, () => f());
    expect(Array.from({ length: 50 }, () => r.next())).toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    const g = mulberry32(1235);
    expect(Array.from({ length: 50 }, () => g())).not.toEqual(a);
  });
});

describe('SeededRng', () => {
  it('restores its stream from a saved state', () => {
    const r = new SeededRng(7);
    r.next();
    const saved = r.state;
    const ahead = [r.next(), r.next()];
    const s = new SeededRng(0);
    s.state = saved;
    expect([s.next(), s.next()]).toEqual(ahead);
  });

  it('int stays in range and shuffle permutes a copy', () => {
    const r = new SeededRng(3);
    for (let i = 0; i < 200; i++) {
      const k = r.int(5);
      expect(Number.isInteger(k) && k >= 0 && k < 5).toBe(true);
    }
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = r.shuffle(items);
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...out].sort((a, b) => a - b)).toEqual(items);
    expect(out).not.toEqual(items);
  });

  it('normal has mean ~0 and variance ~1', () => {
    const r = new SeededRng(11);
    const xs = Array.from({ length: 20000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('deriveSeed', () => {
  it('is stable, 31-bit and depends on base and labels', () => {
    const s = deriveSeed(42, 'step', 3, 'attacker');
    expect(deriveSeed(42, 'step', 3, 'attacker')).toBe(s);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(s).toBeLessThan(2 ** 31);
    expect(deriveSeed(43, 'step', 3, 'attacker')).not.toBe(s);
    expect(deriveSeed(42, 'step', 3, 'defender')).not.toBe(s);
  });
});
