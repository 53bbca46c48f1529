import { at } from '@magic/core';
import { TokenizerTrainError } from '../errors.js';
import { bytesToUnicode, pretokenize } from './byte-level.js';

export const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

export interface BpeModel {
  /** Token string (byte-level alphabet) -> id; ids 0..255 are the bytes in byte order. */
  vocab: Map<string, number>;
  merges: [string, string][];
}

/** Pre-token counts of texts; special-token strings split the text and are not counted. */
export class PretokenCounter {
  readonly counts = new Map<string, number>();
  chars = 0;

  add(text: string): void {
    this.chars += text.length;
    for (const part of text.split(/<\|endoftext\|>|<\|im_start\|>|<\|im_end\|>/)) {
      for (const p of pretokenize(part)) this.counts.set(p, (this.counts.get(p) ?? 0) + 1);
    }
  }
}

const KEY = 2 ** 21;

/** Binary max-heap of (count, pair key); ties go to the smaller key so training is deterministic. */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  private above(i: number, j: number): boolean {
    const ci = at(this.counts, i, 'heap count');
    const cj = at(this.counts, j, 'heap count');
    return ci > cj || (ci === cj && at(this.keys, i, 'heap key') < at(this.keys, j, 'heap key'));
  }

  private swap(i: number, j: number): void {
    const c = at(this.counts, i, 'heap count');
    this.counts[i] = at(this.counts, j, 'heap count');
    this.counts[j] = c;
    const k = at(this.keys, i, 'heap key');
    this.keys[i] = at(this.keys, j, 'heap key');
    this.keys[j] = k;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): { count: number; key: number } | undefined {
    const lastC = this.counts.pop();
    const lastK = this.keys.pop();
    if (lastC === undefined || lastK === undefined) return undefined;
    if (this.counts.length === 0) return { count: lastC, key: lastK };
    const top = { count: at(this.counts, 0, 'heap count'), key: at(this.keys, 0, 'heap key') };
    this.counts[0] = lastC;
    this.keys[0] = lastK;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.counts.length && this.above(l, m)) m = l;
      if (r < this.counts.length && this.above(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/**
 * Learns byte-level BPE merges from pre-token counts until the vocabulary (256 bytes + merges + special tokens)
 * reaches `vocabSize`: each step merges the most frequent adjacent pair, counted over pre-token frequencies and
 * updated incrementally in the words that contain it (a lazy max-heap finds the next pair).
 */
export function trainBpe(counts: Map<string, number>, vocabSize: number): BpeModel {
  const target = vocabSize - SPECIAL_TOKENS.length;
  if (!Number.isInteger(vocabSize) || target < 256 || vocabSize >= KEY)
    throw new TokenizerTrainError(`vocabSize must be an integer in [${256 + SPECIAL_TOKENS.length}, ${KEY})`);
  const b2u = bytesToUnicode();
  const idToToken: string[] = [...b2u];
  const vocab = new Map<string, number>(idToToken.map((t, i) => [t, i]));
  const encoder = new TextEncoder();
  const words: number[][] = [];
  const freqs: number[] = [];
  for (const [w, c] of counts) {
    const bytes = encoder.encode(w);
    if (bytes.length < 2) continue;
    words.push(Array.from(bytes));
    freqs.push(c);
  }
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: number, touched: Set<number> | undefined): void => {
    const w = at(words, wi, 'word');
    const f = at(freqs, wi, 'word frequency') * sign;
    let prev: number | undefined;
    for (const cur of w) {
      const left = prev;
      prev = cur;
      if (left === undefined) continue;
      const key = left * KEY + cur;
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + f);
      touched?.add(key);
      if (sign > 0) {
        const s = pairWords.get(key);
        if (s === undefined) pairWords.set(key, new Set([wi]));
        else s.add(wi);
      }
    }
  };
  for (let wi = 0; wi < words.length; wi++) addPairs(wi, 1, undefined);
  const heap = new PairHeap();
  for (const [key, c] of pairCounts) heap.push(c, key);
  const merges: [string, string][] = [];
  while (vocab.size < target) {
    const top = heap.pop();
    if (top === undefined) break;
    const current = pairCounts.get(top.key) ?? 0;
    if (current !== top.count || current <= 0) continue;
    const a = Math.floor(top.key / KEY);
    const b = top.key % KEY;
    const tokenA = at(idToToken, a, 'merge token');
    const tokenB = at(idToToken, b, 'merge token');
    const merged = tokenA + tokenB;
    let id = vocab.get(merged);
    if (id === undefined) {
      id = idToToken.length;
      idToToken.push(merged);
      vocab.set(merged, id);
    }
    merges.push([tokenA, tokenB]);
    const touched = new Set<number>();
    for (const wi of pairWords.get(top.key) ?? []) {
      const w = at(words, wi, 'word');
      let has = false;
      for (let i = 0; i + 1 < w.length; i++)
        if (w[i] === a && w[i + 1] === b) {
          has = true;
          break;
        }
      if (!has) continue;
      addPairs(wi, -1, touched);
      const out: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          out.push(id);
          i++;
        } else out.push(at(w, i, 'word symbol'));
      }
      words[wi] = out;
      addPairs(wi, 1, touched);
    }
    pairWords.delete(top.key);
    for (const key of touched) {
      const c = pairCounts.get(key) ?? 0;
      if (c > 0) heap.push(c, key);
      else pairCounts.delete(key);
    }
  }
  return { vocab, merges };
}
