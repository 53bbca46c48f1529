import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededNormal } from '../conformance/inputs.js';
import { expectNoLeaks } from '../leaks.js';
import { initBackend } from './init-backend.js';
import { dataOn, maxDiff } from './wasm-test-helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'wasm' });
});

describe('wasm kernels', () => {
  it('UnsortedSegmentSum matches cpu (incl. repeated and out-of-range ids)', async () => {
    const f = () =>
      tf.tidy(() =>
        tf.unsortedSegmentSum(
          tf.tensor2d(seededNormal(1, 7 * 5), [7, 5]),
          tf.tensor1d([2, 0, 2, 3, -1, 0, 2], 'int32'),
          4,
        ),
      );
    const cpu = await dataOn('cpu', f);
    const wasm = await expectNoLeaks(() => dataOn('wasm', f));
    expect(maxDiff(wasm, cpu)).toBeLessThan(1e-6);
    expect(Array.from(cpu.subarray(5, 10))).toEqual([0, 0, 0, 0, 0]); // segment 1 is empty
  });

  it('transposed BatchMatMul matches cpu for every transpose combination and a broadcast batch', async () => {
    for (const [ta, tb] of [
      [true, false],
      [false, true],
      [true, true],
      [false, false],
    ] as const) {
      const f = () =>
        tf.tidy(() => {
          const a = tf.tensor3d(seededNormal(2, 3 * 6 * 4), ta ? [3, 4, 6] : [3, 6, 4]);
          const b = tf.tensor3d(seededNormal(3, 1 * 4 * 5), tb ? [1, 5, 4] : [1, 4, 5]);
          return tf.matMul(a, b, ta, tb);
        });
      const cpu = await dataOn('cpu', f);
      const wasm = await expectNoLeaks(() => dataOn('wasm', f));
      expect(maxDiff(wasm, cpu)).toBeLessThan(1e-5);
    }
  });

  it('a clone shares its buffer (no heap copy) and outlives the original', async () => {
    await tf.setBackend('wasm');
    const backend = defined(tf.engine().findBackend('wasm'), 'wasm backend');
    const x = tf.tensor1d([1, 2, 3]);
    const buffers = backend.numDataIds();
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(buffers);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    y.dispose();
    expect(backend.numDataIds()).toBe(buffers - 1);
  });
});
