import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededNormal } from '../conformance/inputs.js';
import { expectNoLeaks } from '../leaks.js';
import { typedAt } from '../typed-at.js';
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

  type Dims = [batch: number, m: number, k: number, n: number];
  // tfjs-backend-wasm's loop sums K in float32 blocks of 48 (each block from 0, then added to the output in order);
  // XNNPACK sums all of K in one run. The reference does either in float32 (Math.fround after every operation).
  const reference = (a: Float32Array, b: Float32Array, dims: Dims, block: number) => {
    const [batch, m, k, n] = dims;
    const out = new Float32Array(batch * m * n);
    for (let i = 0; i < batch * m; i++) {
      const bt = Math.floor(i / m);
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let k0 = 0; k0 < k; k0 += block) {
          let sum = 0;
          for (let q = k0; q < Math.min(k0 + block, k); q++) {
            sum = Math.fround(sum + Math.fround(typedAt(a, i * k + q, 'a') * typedAt(b, (bt * k + q) * n + j, 'b')));
          }
          acc = Math.fround(acc + sum);
        }
        out[i * n + j] = acc;
      }
    }
    return out;
  };

  it("wasmMatMul 'tfjs' keeps tfjs' blocked float32 sums bit for bit; 'xnnpack' sums K in one run", async () => {
    const dims: Dims = [3, 20, 100, 12]; // K = 100: three blocks of tfjs' loop
    const [batch, m, k, n] = dims;
    const a = seededNormal(11, batch * m * k);
    const b = seededNormal(12, batch * k * n);
    const last2 = (x: tf.Tensor) => tf.transpose(x, [0, 2, 1]);
    // transposed-B of one matrix (a linear layer), a batch (attention), a transposed A (a weight gradient)
    const products: [string, () => tf.Tensor][] = [
      [
        'transposeB',
        () =>
          tf.matMul(
            tf.tensor2d(a.slice(0, m * k), [m, k]),
            tf.transpose(tf.tensor2d(b.slice(0, k * n), [k, n])),
            false,
            true,
          ),
      ],
      ['batch', () => tf.matMul(tf.tensor3d(a, [batch, m, k]), tf.tensor3d(b, [batch, k, n]))],
      ['transposeA batch', () => tf.matMul(last2(tf.tensor3d(a, [batch, m, k])), tf.tensor3d(b, [batch, k, n]), true)],
    ];
    try {
      for (const [kind, block] of [
        ['tfjs', 48],
        ['xnnpack', k],
      ] as const) {
        await initBackend({ device: 'wasm', wasmMatMul: kind });
        const want = reference(a, b, dims, block);
        for (const [name, f] of products) {
          const got = await dataOn('wasm', () => tf.tidy(f));
          const rows = name === 'transposeB' ? m * n : want.length;
          expect(new Uint32Array(got.buffer, got.byteOffset, rows), `${kind} ${name}`).toEqual(
            new Uint32Array(want.buffer, 0, rows),
          );
        }
      }
      // the two differ on these shapes, so each equality above pins its order
      expect(reference(a, b, dims, 48)).not.toEqual(reference(a, b, dims, k));
    } finally {
      await initBackend({ device: 'wasm' });
    }
  });
});
