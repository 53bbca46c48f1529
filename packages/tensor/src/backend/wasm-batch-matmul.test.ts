import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededNormal } from '../conformance/inputs.js';
import { expectNoLeaks } from '../leaks.js';
import { initBackend } from './init-backend.js';
import { dataOn, maxDiff } from './wasm-test-helpers.js';

/** Heap buffers the wasm backend holds (tensors the engine counts and kernel-internal ones alike). */
const wasmBuffers = () => defined(tf.engine().findBackend('wasm'), 'wasm backend').numDataIds();

beforeAll(async () => {
  await initBackend({ device: 'wasm' });
});

describe('wasm BatchMatMul', () => {
  // rows 9 take one XNNPACK call per matrix, rows 2 the original loop; batches broadcast on either side
  const cases: { a: number[]; b: number[] }[] = [
    { a: [3, 9, 4], b: [3, 4, 5] },
    { a: [2, 3, 9, 4], b: [2, 3, 4, 5] },
    { a: [3, 9, 4], b: [1, 4, 5] },
    { a: [1, 9, 4], b: [3, 4, 5] },
    { a: [9, 4], b: [3, 4, 5] },
    { a: [3, 9, 4], b: [4, 5] },
    { a: [3, 2, 4], b: [3, 4, 5] },
    { a: [9, 4], b: [4, 5] },
  ];
  for (const { a, b } of cases) {
    it(`matches cpu for [${a}] x [${b}] under every transpose combination`, async () => {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const flip = (s: number[], t: boolean) =>
          t ? [...s.slice(0, -2), defined(s.at(-1), 's.at(-1)'), defined(s.at(-2), 's.at(-2)')] : s;
        const f = () =>
          tf.tidy(() =>
            tf.matMul(
              tf.tensor(seededNormal(4, tf.util.sizeFromShape(a)), flip(a, ta)),
              tf.tensor(seededNormal(5, tf.util.sizeFromShape(b)), flip(b, tb)),
              ta,
              tb,
            ),
          );
        const cpu = await dataOn('cpu', f);
        const before = wasmBuffers();
        const wasm = await expectNoLeaks(() => dataOn('wasm', f));
        expect(wasmBuffers()).toBe(before);
        expect(maxDiff(wasm, cpu)).toBeLessThan(1e-5);
      }
    });
  }

  it("keeps a weight's transpose only while the weight lives, and follows its assignments", async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d(seededNormal(6, 9 * 4), [9, 4]);
    const init = tf.tensor2d(seededNormal(7, 5 * 4), [5, 4]);
    const w = tf.variable(init);
    init.dispose();
    const expected = async () => {
      const [xv, wv] = [await x.data(), await w.data()];
      return dataOn('cpu', () => tf.matMul(tf.tensor2d(xv, [9, 4]), tf.tensor2d(wv, [5, 4]), false, true));
    };
    const viaWasm = () => dataOn('wasm', () => tf.matMul(x, w, false, true));
    const before = wasmBuffers();
    expect(maxDiff(await viaWasm(), await expected())).toBeLessThan(1e-5);
    expect(wasmBuffers()).toBe(before + 1); // the kept transpose
    expect(maxDiff(await viaWasm(), await expected())).toBeLessThan(1e-5);
    expect(wasmBuffers()).toBe(before + 1);
    await tf.setBackend('wasm');
    const next = tf.tensor2d(seededNormal(8, 5 * 4), [5, 4]);
    w.assign(next);
    next.dispose();
    expect(wasmBuffers()).toBe(before); // the old value went, and its transpose with it
    expect(maxDiff(await viaWasm(), await expected())).toBeLessThan(1e-5);
    expect(wasmBuffers()).toBe(before + 1);
    w.dispose();
    expect(wasmBuffers()).toBe(before - 1);
    x.dispose();
  });
});
