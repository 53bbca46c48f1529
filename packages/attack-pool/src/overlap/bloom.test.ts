import { describe, expect, it } from 'vitest';
import { BloomFilter } from './bloom.js';
import { overlapHash } from './normalise.js';

describe('BloomFilter', () => {
  it('never misses an inserted hash and stays near its predicted false-positive rate', () => {
    const bloom = BloomFilter.sized(20_000, 1e-3, 1 << 20);
    const inserted = Array.from({ length: 20_000 }, (_, i) => overlapHash(`in ${i}`));
    for (const h of inserted) bloom.add(h);
    for (const h of inserted) expect(bloom.has(h)).toBe(true);
    let fp = 0;
    for (let i = 0; i < 50_000; i++) if (bloom.has(overlapHash(`out ${i}`))) fp++;
    const predicted = bloom.falsePositiveRate(20_000);
    expect(predicted).toBeLessThan(2e-3);
    expect(fp / 50_000).toBeLessThan(predicted * 3 + 1e-4);
  });

  it('round-trips through its bytes and caps its size', () => {
    const bloom = BloomFilter.sized(1_000_000, 1e-6, 1024);
    expect(bloom.bits.length).toBe(1024);
    bloom.add(overlapHash('x'));
    const copy = BloomFilter.fromBytes(bloom.bits.slice(), bloom.numHashes);
    expect(copy.has(overlapHash('x'))).toBe(true);
    expect(bloom.falsePositiveRate(1_000_000)).toBeGreaterThan(0.9);
  });
});
