import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Switches to `backend` (already initialised), runs `f` and reads its output; the output is disposed. */
export async function dataOn(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const t = f();
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** Largest absolute difference of two outputs of the same length (the test fails when the lengths differ). */
export function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(at(a, i, 'a') - at(b, i, 'b')));
  return m;
}
