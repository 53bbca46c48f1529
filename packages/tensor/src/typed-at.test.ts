import { InvariantError } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { typedAt } from './typed-at.js';

describe('typedAt', () => {
  it('reads the element of each typed array kind', () => {
    expect(typedAt(new Float32Array([0.5, -2]), 1, 'f32')).toBe(-2);
    expect(typedAt(new Int32Array([7, -3]), 0, 'i32')).toBe(7);
    expect(typedAt(new Uint8Array([255]), 0, 'u8')).toBe(255);
    expect(typedAt(new Uint32Array([0xffffffff]), 0, 'u32')).toBe(0xffffffff);
  });

  it('throws an InvariantError naming what, the index and the length outside the array', () => {
    const read = () => typedAt(new Float32Array(3), 3, 'row');
    expect(read).toThrow(InvariantError);
    expect(read).toThrow('internal invariant broken: row[3] (length 3) is missing');
    expect(() => typedAt(new Int32Array(2), -1, 'ids')).toThrow(/ids\[-1\] \(length 2\)/);
  });
});
