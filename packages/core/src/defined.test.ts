import { describe, expect, it } from 'vitest';
import { at, defined, InvariantError } from './defined.js';
import { hasMagicErrorCode } from './errors.js';

describe('defined', () => {
  it('returns present values, including falsy ones', () => {
    expect(defined(0, 'zero')).toBe(0);
    expect(defined('', 'empty')).toBe('');
    expect(defined(false, 'flag')).toBe(false);
  });

  it('throws a typed invariant error naming the value for null and undefined', () => {
    expect(() => defined(undefined, 'the first row')).toThrow(/the first row is missing/);
    try {
      defined(null, 'x');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvariantError);
      expect(hasMagicErrorCode(e, 'CORE_INVARIANT')).toBe(true);
      expect((e as InvariantError).what).toBe('x');
    }
  });
});

describe('at', () => {
  it('reads arrays and typed arrays in range', () => {
    expect(at([1, 2, 3], 2, 'xs')).toBe(3);
    expect(at(new Float32Array([0.5]), 0, 'ys')).toBe(0.5);
  });

  it('throws with the index and length out of range', () => {
    expect(() => at([1], 1, 'xs')).toThrow(/xs\[1\] \(length 1\)/);
    expect(() => at(new Int32Array(2), -1, 'ids')).toThrow(InvariantError);
  });
});
