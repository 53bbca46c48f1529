import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { accumulateGradients, clipByGlobalNorm } from './grad-clip.js';
import { cpuAxpy } from './test-helpers.js';

const grads = () => ({ a: tf.tensor1d([3, 0, 0]), b: tf.tensor2d([[0, 4]]) });
const values = async (g: Record<string, tf.Tensor>) =>
  Object.fromEntries(await Promise.all(Object.entries(g).map(async ([k, t]) => [k, Array.from(await t.data())])));

describe('clipByGlobalNorm', () => {
  it.each([false, true])('scales by maxNorm / norm (in place: %s) and reports the pre-clip norm', async (inPlace) => {
    const calls: string[] = [];
    const g = grads();
    const out = await clipByGlobalNorm(g, 1, undefined, inPlace ? cpuAxpy(calls) : undefined);
    expect(out.norm).toBeCloseTo(5, 5);
    const v = await values(out.grads);
    expect(defined(v.a, 'v.a')[0]).toBeCloseTo(0.6, 5);
    expect(defined(v.b, 'v.b')[1]).toBeCloseTo(0.8, 5);
    expect(calls).toEqual(inPlace ? ['scale', 'scale'] : []);
    if (inPlace)
      expect(out.grads.a).toBe(g.a); // the same tensor, scaled in its buffer
    else expect((await values(g)).a).toEqual([3, 0, 0]); // inputs untouched
    tf.dispose([...Object.values(g), ...Object.values(out.grads)]);
  });

  it('returns clones (same values, no scaling) under the max norm', async () => {
    const calls: string[] = [];
    const g = grads();
    const out = await clipByGlobalNorm(g, 10, undefined, cpuAxpy(calls));
    expect(await values(out.grads)).toEqual(await values(g));
    expect(calls).toEqual([]);
    tf.dispose([...Object.values(g), ...Object.values(out.grads)]);
  });
});

describe('accumulateGradients', () => {
  it.each([false, true])('sums by name and moves new names in (in place: %s)', async (inPlace) => {
    const calls: string[] = [];
    const axpy = inPlace ? cpuAxpy(calls) : undefined;
    let acc: Record<string, tf.Tensor> = {};
    acc = accumulateGradients(acc, grads(), axpy);
    acc = accumulateGradients(acc, { ...grads(), c: tf.scalar(2) }, axpy);
    expect(await values(acc)).toEqual({ a: [6, 0, 0], b: [0, 8], c: [2] });
    expect(calls).toEqual(inPlace ? ['add', 'add'] : []);
    tf.dispose(Object.values(acc));
  });
});
