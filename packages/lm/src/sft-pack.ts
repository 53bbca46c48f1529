import { at } from '@magic/core';
import { LmInputError } from './errors.js';
import type { TokenizedExample } from './sft-data.js';

/**
 * Cuts a token stream (documents joined by an end-of-text token) into fixed-length pretraining blocks, every
 * token in the loss. Blocks cross document boundaries, as in GPT-style packing; the tail shorter than
 * `blockSize` is dropped (at most blockSize - 1 tokens).
 */
export function packTokenStream(tokens: ArrayLike<number>, blockSize: number): TokenizedExample[] {
  if (!Number.isInteger(blockSize) || blockSize < 2) throw new LmInputError('blockSize', 'must be an integer ≥ 2');
  const n = Math.floor(tokens.length / blockSize);
  if (n === 0) throw new LmInputError('tokens', `${tokens.length} tokens do not fill one block of ${blockSize}`);
  const lossMask = Array<number>(blockSize).fill(1);
  // Position 0 has no context inside the block, so nothing predicts it.
  lossMask[0] = 0;
  const out: TokenizedExample[] = [];
  for (let b = 0; b < n; b++) {
    const ids = Array.from({ length: blockSize }, (_, i) => at(tokens, b * blockSize + i, 'tokens'));
    out.push({ ids, lossMask });
  }
  return out;
}
