import { at } from '@magic/core';
import { OverlapInputError } from './errors.js';

/**
 * A Bloom filter over 64-bit hex hashes (the `overlapHash` of an 8-gram). Bit i of the filter is bit (i & 7) of
 * byte (i >> 3). The k probe positions are (h1 + j*h2) mod m with h1/h2 the hash's high/low 32 bits (h2 forced
 * odd), j = 0..k-1 (Kirsch–Mitzenmacher double hashing). It can only answer false positives, never false negatives.
 */
export class BloomFilter {
  private constructor(
    readonly bits: Uint8Array,
    readonly numBits: number,
    readonly numHashes: number,
  ) {}

  static create(numBits: number, numHashes: number): BloomFilter {
    const m = Math.max(8, Math.ceil(numBits / 8) * 8);
    return new BloomFilter(new Uint8Array(m / 8), m, Math.max(1, numHashes));
  }

  /** Size for `count` items at `targetRate`, capped at `maxBytes` (the rate then rises; see {@link falsePositiveRate}). */
  static sized(count: number, targetRate: number, maxBytes: number): BloomFilter {
    const n = Math.max(1, count);
    const ideal = Math.ceil((-n * Math.log(targetRate)) / Math.LN2 ** 2);
    const m = Math.min(ideal, maxBytes * 8);
    const k = Math.max(1, Math.round((m / n) * Math.LN2));
    return BloomFilter.create(m, k);
  }

  static fromBytes(bytes: Uint8Array, numHashes: number, file = '(bytes)'): BloomFilter {
    if (bytes.length === 0) throw new OverlapInputError(file, 'empty Bloom filter');
    if (!Number.isInteger(numHashes) || numHashes < 1) throw new OverlapInputError(file, `bad hash count ${numHashes}`);
    return new BloomFilter(bytes, bytes.length * 8, numHashes);
  }

  private probe(hash16: string, visit: (bit: number) => boolean): boolean {
    const h1 = Number.parseInt(hash16.slice(0, 8), 16);
    const h2 = Number.parseInt(hash16.slice(8, 16), 16) | 1;
    for (let j = 0; j < this.numHashes; j++) {
      // h1 + j*h2 < 2^32 * (k + 1), exact in a double.
      if (!visit((h1 + j * (h2 >>> 0)) % this.numBits)) return false;
    }
    return true;
  }

  add(hash16: string): void {
    this.probe(hash16, (bit) => {
      this.bits[bit >> 3] = at(this.bits, bit >> 3, 'bits') | (1 << (bit & 7));
      return true;
    });
  }

  has(hash16: string): boolean {
    return this.probe(hash16, (bit) => (at(this.bits, bit >> 3, 'bits') & (1 << (bit & 7))) !== 0);
  }

  /** Expected false-positive rate after `inserted` distinct items: (1 - e^(-kn/m))^k. */
  falsePositiveRate(inserted: number): number {
    return (1 - Math.exp((-this.numHashes * inserted) / this.numBits)) ** this.numHashes;
  }
}
