import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from './init-backend.js';
import { releaseWebGpu } from './webgpu.js';
import { capWebGpuBufferPool, trimWebGpuBufferPool } from './webgpu-pool.js';

// Software WebGPU: the pool cap keeps freed buffers of many sizes from accumulating, and results stay right.
beforeAll(async () => {
  expect((await initBackend({ device: 'webgpu', allowSoftwareAdapter: true })).name).toBe('webgpu');
}, 60_000);
afterAll(() => releaseWebGpu());

const allocated = () => (tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU: number }).numBytesAllocatedInGPU;

it('trims free buffers: allocated bytes stay near the cap while shapes keep changing', async () => {
  const backend = tf.backend();
  trimWebGpuBufferPool(backend);
  expect(capWebGpuBufferPool(backend)).toBe(true); // already capped at start (default cap): idempotent
  // a fresh, tiny cap for this test on the same pool
  const m = (backend as unknown as { bufferManager: { __magicCapped?: boolean } }).bufferManager;
  m.__magicCapped = false;
  const cap = 2_000_000;
  capWebGpuBufferPool(backend, cap);
  let peak = 0;
  for (let n = 1000; n < 60_000; n += 997) {
    const s = tf.tidy(() => tf.sum(tf.mul(tf.add(tf.range(0, n, 1, 'float32'), 1), 2)));
    const sum = (await s.data())[0]!;
    s.dispose();
    expect(sum).toBeCloseTo(n * (n + 1), -3);
    peak = Math.max(peak, allocated());
  }
  // without the cap, the pool would hold every size: ~60 sizes x 3 buffers x up to 240 KB (> 20 MB)
  expect(peak).toBeLessThan(cap + 2_000_000);
  const before = allocated();
  const freed = trimWebGpuBufferPool(backend);
  expect(freed).toBeGreaterThanOrEqual(0);
  expect(allocated()).toBe(before - freed);
});

it('trims only when a reusable allocation misses the pool over the cap (not for one-off staging buffers)', () => {
  const destroyed: number[] = [];
  const buf = (size: number) => ({ size, destroy: () => destroyed.push(size) });
  const manager = {
    freeBuffers: new Map([['100_4', [buf(100)]]]),
    numFreeBuffers: 1,
    numBytesAllocated: 150,
    numBytesUsed: 50,
    acquireBuffer(size: number, _usage: number, _mapped?: boolean, _reuse?: boolean) {
      this.numBytesAllocated += size;
      return buf(size);
    },
  };
  const backend = { bufferManager: manager };
  expect(capWebGpuBufferPool(backend, 200)).toBe(true);
  manager.acquireBuffer(100, 8, true, false); // staging: over the cap, but one-off
  expect(destroyed).toEqual([]);
  manager.acquireBuffer(100, 4, false, true); // hits the pooled size: no trim needed
  expect(destroyed).toEqual([]);
  manager.acquireBuffer(60, 4, false, true); // misses over the cap: free buffers go
  expect(destroyed).toEqual([100]);
  expect(manager.numFreeBuffers).toBe(0);
  expect(capWebGpuBufferPool({}, 1)).toBe(false);
});
