import { InvariantError } from '@magic/core';

/** The typed arrays the numeric loops of this package read (heap views, tensor data, raw bits). */
export type NumericArray = Float32Array | Int32Array | Uint8Array | Uint32Array;

/**
 * `array[index]` of a typed array, checked: the value, or an InvariantError naming `what`. For hot loops, instead of
 * @magic/core's `at`: that one is fed every array kind in a program, so its inlined element load turns megamorphic
 * (3-5x slower over a vocabulary row); only typed arrays reach this one, which keeps it as fast as a plain read.
 */
export function typedAt(array: NumericArray, index: number, what: string): number {
  const value = array[index];
  if (value === undefined) throw new InvariantError(`${what}[${index}] (length ${array.length})`);
  return value;
}
