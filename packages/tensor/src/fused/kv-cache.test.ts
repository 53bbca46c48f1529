import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectNoLeaks } from '../leaks.js';
import {
  createKvCache,
  type PackedAttentionShape,
  packedDecodeAttention,
  packedDecodeAttentionReference,
  writeKvCache,
  writeKvCacheReference,
} from './kv-cache.js';
import { closeness, normal, useSoftwareWebGpu } from './test-helpers.js';
import { FusedOpError } from './webgpu-program.js';

// Software WebGPU (Mesa llvmpipe) against the unfused reference on cpu: the in-place cache write and the
// packed decode attention (q rotary-embedded in the kernel, grouped kv heads, padding bias, valid length).
useSoftwareWebGpu();

const [b, prefill, maxLen] = [3, 5, 300];

/**
 * Prefill cache, then two decode steps (write + attend); returns both attention outputs and the final cache.
 * `device`: slot and length as int32 [1] tensors (the dispatch-graph path).
 */
function decodeTwice(shape: PackedAttentionShape, fused: boolean, device = false): tf.Tensor[] {
  const width = (shape.numHeads + 2 * shape.numKvHeads) * shape.headDim;
  const k = normal(1, [b, shape.numKvHeads, prefill, shape.headDim]) as tf.Tensor4D;
  const v = normal(2, [b, shape.numKvHeads, prefill, shape.headDim]) as tf.Tensor4D;
  let cache = createKvCache(k, v, maxLen);
  // row 0 has two padded prompt positions
  const bias = tf.buffer([b, maxLen], 'float32');
  bias.set(-1e9, 0, 0);
  bias.set(-1e9, 0, 1);
  const padBias = bias.toTensor() as tf.Tensor2D;
  const outs: tf.Tensor[] = [];
  for (const [step, pos] of [
    [0, [3, 5, 1000]],
    [1, [4, 6, 20001]],
  ] as const) {
    const qkv = normal(10 + step, [b, width]) as tf.Tensor2D;
    const positions = tf.tensor1d(pos as unknown as number[], 'int32');
    const slot = prefill + step;
    const at = (n: number) => (device ? tf.tensor1d([n], 'int32') : n);
    const next = fused
      ? writeKvCache(cache, qkv, positions, at(slot), shape)
      : writeKvCacheReference(cache, qkv, positions, slot, shape);
    if (next !== cache) cache.dispose();
    cache = next;
    outs.push(
      fused
        ? packedDecodeAttention(qkv, positions, cache, padBias, at(slot + 1), shape)
        : packedDecodeAttentionReference(qkv, positions, cache, padBias, slot + 1, shape),
    );
  }
  outs.push(tf.slice(cache, [0, 0, 0, 0], [2 * b, shape.numKvHeads, prefill + 2, shape.headDim]));
  return outs;
}

async function run(
  shape: PackedAttentionShape,
  backend: 'cpu' | 'webgpu',
  fused: boolean,
  device = false,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return expectNoLeaks(async () => {
    const outs = tf.tidy(() => decodeTwice(shape, fused, device));
    const data = (await Promise.all(outs.map((t) => t.data()))) as Float32Array[];
    tf.dispose(outs);
    return data;
  });
}

/** One row, 4 heads over 2 kv heads of width 8: q/k/v all ones (packed), rotary position 0. */
const SMALL: PackedAttentionShape = { numHeads: 4, numKvHeads: 2, headDim: 8, theta: 10000 };
function smallStep(): { qkv: tf.Tensor2D; positions: tf.Tensor1D } {
  return { qkv: tf.ones([1, (4 + 4) * 8]) as tf.Tensor2D, positions: tf.tensor1d([0], 'int32') };
}

describe('kv cache kernels', () => {
  // Two head layouts in one process: the compiled shaders must not be mixed up (shape constants are in the key).
  it.each([
    { numHeads: 14, numKvHeads: 2, headDim: 64, theta: 1e6 },
    { numHeads: 5, numKvHeads: 1, headDim: 12, theta: 1e4 },
  ])('in-place cache writes and packed decode attention match the unfused reference (%o)', async (shape) => {
    const ref = await run(shape, 'cpu', false);
    const got = await run(shape, 'webgpu', true);
    // slot and length read from int32 [1] tensors by the kernels (the dispatch-graph path), and on cpu
    const device = await run(shape, 'webgpu', true, true);
    const deviceCpu = await run(shape, 'cpu', true, true);
    for (const [i, r] of ref.entries()) {
      const c = closeness(at(got, i, 'got'), r, 2e-5, 1e-4);
      expect(c.excess, `output ${i}: max abs error ${c.maxAbs} at ${c.at}`).toBeLessThanOrEqual(0);
      expect(Array.from(at(device, i, 'device')), `output ${i} with device slot/length`).toEqual(
        Array.from(at(got, i, 'got')),
      );
      expect(Array.from(at(deviceCpu, i, 'deviceCpu')), `output ${i} with slot/length tensors on cpu`).toEqual(
        Array.from(r),
      );
    }
  });

  it('writes in place on WebGPU (returns the same tensor) and functionally elsewhere', async () => {
    for (const backend of ['webgpu', 'cpu'] as const) {
      await tf.setBackend(backend);
      const cache = tf.zeros([2, 2, 4, 8]) as tf.Tensor4D;
      const { qkv, positions } = smallStep();
      const s = SMALL;
      const next = writeKvCache(cache, qkv, positions, 2, s);
      expect(next === cache).toBe(backend === 'webgpu');
      const data = (await next.array()) as number[][][][];
      // position 0: no rotation, so slot 2 holds the ones of k (row 0) and v (row 1); other slots stay 0
      expect(at(at(data, 0, 'data'), 1, 'data[0]')[2]).toEqual(Array(8).fill(1));
      expect(at(at(data, 1, 'data'), 0, 'data[1]')[2]).toEqual(Array(8).fill(1));
      expect(at(at(data, 0, 'data'), 0, 'data[0]')[1]).toEqual(Array(8).fill(0));
      tf.dispose([cache, next, qkv, positions]);
    }
  });

  it('in place: later reads see the write (no stale CPU copy); a shared buffer is never written in place', async () => {
    await tf.setBackend('webgpu');
    const s = SMALL;
    const { qkv, positions } = smallStep();
    const cache = tf.zeros([2, 2, 4, 8]) as tf.Tensor4D;
    await cache.data(); // tfjs caches what it read on the CPU
    expect(writeKvCache(cache, qkv, positions, 1, s)).toBe(cache);
    expect(at(at((await cache.array()) as number[][][][], 0, 'value'), 0, 'value')[1]).toEqual(Array(8).fill(1));
    const shared = tf.zeros([2, 2, 4, 8]) as tf.Tensor4D;
    const alias = tf.reshape(shared, [2, 2, 4, 8]); // same buffer
    const next = writeKvCache(shared, qkv, positions, 1, s);
    expect(next).not.toBe(shared);
    expect(at(at((await alias.array()) as number[][][][], 0, 'value'), 0, 'value')[1]).toEqual(Array(8).fill(0));
    expect(at(at((await next.array()) as number[][][][], 0, 'value'), 0, 'value')[1]).toEqual(Array(8).fill(1));
    tf.dispose([qkv, positions, cache, shared, alias, next]);
  });

  it('rejects bad shapes and slots with typed errors', async () => {
    await tf.setBackend('cpu');
    const cache = tf.zeros([2, 2, 4, 8]) as tf.Tensor4D;
    const { qkv, positions } = smallStep();
    const s = SMALL;
    expect(() => writeKvCache(cache, qkv, positions, 4, s)).toThrow(/slot 4 outside/);
    expect(() => writeKvCache(cache, tf.ones([1, 10]) as tf.Tensor2D, positions, 0, s)).toThrow(/qkv must be/);
    expect(() => packedDecodeAttention(qkv, positions, cache, tf.zeros([1, 3]) as tf.Tensor2D, 2, s)).toThrow(
      /padBias must be/,
    );
    const twoSlots = tf.tensor1d([1, 2], 'int32');
    expect(() => writeKvCache(cache, qkv, positions, twoSlots, s)).toThrow(/slot tensor must be int32 \[1\]/);
    expect(() => packedDecodeAttention(qkv, positions, cache, tf.zeros([1, 4]) as tf.Tensor2D, twoSlots, s)).toThrow(
      /length tensor must be int32 \[1\]/,
    );
    tf.dispose([cache, qkv, positions, twoSlots]);
  });

  it('needs an in-place cache and the fused kernel for device positions on WebGPU (typed errors, not a sync read)', async () => {
    await tf.setBackend('webgpu');
    const s = SMALL;
    const { qkv, positions } = smallStep();
    const at = tf.tensor1d([1], 'int32');
    const shared = tf.zeros([2, 2, 4, 8]) as tf.Tensor4D;
    const alias = tf.reshape(shared, [2, 2, 4, 8]); // same buffer: no in-place write
    expect(() => writeKvCache(shared, qkv, positions, at, s)).toThrow(
      /device slot needs a cache it can write in place/,
    );
    // head dim 6 is not a multiple of 4: no fused attention
    const s6 = { numHeads: 2, numKvHeads: 1, headDim: 6, theta: 10000 };
    const cache6 = tf.zeros([2, 1, 4, 6]) as tf.Tensor4D;
    const qkv6 = tf.ones([1, 4 * 6]) as tf.Tensor2D;
    expect(() => packedDecodeAttention(qkv6, positions, cache6, tf.zeros([1, 4]) as tf.Tensor2D, at, s6)).toThrow(
      FusedOpError,
    );
    tf.dispose([qkv, positions, at, shared, alias, cache6, qkv6]);
  });
});
