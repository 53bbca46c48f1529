import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { LmInputError } from './errors.js';
import { padBatch } from './sft-data.js';
import { packTokenStream } from './sft-pack.js';

describe('packTokenStream', () => {
  it('cuts the stream into full blocks in order and drops the short tail', () => {
    const blocks = packTokenStream([1, 2, 3, 4, 5, 6, 7], 3);
    expect(blocks.map((b) => b.ids)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(at(blocks, 0, 'blocks').lossMask).toEqual([0, 1, 1]);
  });

  it('accepts typed arrays', () => {
    expect(packTokenStream(new Uint16Array([9, 8, 7, 6]), 2).map((b) => b.ids)).toEqual([
      [9, 8],
      [7, 6],
    ]);
  });

  it('rejects a stream shorter than one block and a block size below 2', () => {
    expect(() => packTokenStream([1, 2], 3)).toThrow(LmInputError);
    expect(() => packTokenStream([1, 2, 3], 1)).toThrow(/blockSize/);
  });

  it('padBatch rounds the batch length up to padToMultipleOf, masking the padding', () => {
    const b = padBatch([{ ids: [5, 6, 7], lossMask: [0, 1, 1] }], 0, 4);
    expect(b.ids).toEqual([[5, 6, 7, 0]]);
    expect(b.mask).toEqual([[1, 1, 1, 0]]);
    expect(b.lossMask).toEqual([[0, 1, 1, 0]]);
    expect(padBatch([{ ids: [5, 6, 7, 8], lossMask: [0, 1, 1, 1] }], 0, 4).ids[0]).toHaveLength(4);
  });
});
