import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { useSoftwareWebGpu } from '../fused/test-helpers.js';
import { capWebGpuBufferPool, trimWebGpuBufferPool, webGpuPoolStats } from './webgpu-pool.js';

// Software WebGPU: the pool cap keeps freed buffers of many sizes from accumulating, and results stay right.
useSoftwareWebGpu({ withCpu: false });

const allocated = () => (tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU: number }).numBytesAllocatedInGPU;

it('trims free buffers: allocated bytes stay near the cap while shapes keep changing', async () => {
  const backend = tf.backend();
  trimWebGpuBufferPool(backend);
  expect(capWebGpuBufferPool(backend)).toBe(true); // already capped at start (default cap): idempotent
  // a fresh, tiny cap for this test on the same pool
  const cap = 2_000_000;
  // changes the cap of the same pool; each iteration acquires a handful of buffers, so older sizes go stale fast
  expect(capWebGpuBufferPool(backend, cap, { staleAfter: 20 })).toBe(true);
  const before0 = defined(webGpuPoolStats(backend), 'webGpuPoolStats(backend)');
  expect(before0.capBytes).toBe(cap);
  let peak = 0;
  for (let n = 1000; n < 60_000; n += 997) {
    const s = tf.tidy(() => tf.sum(tf.mul(tf.add(tf.range(0, n, 1, 'float32'), 1), 2)));
    const sum = at(await s.data(), 0, 'value');
    s.dispose();
    expect(sum).toBeCloseTo(n * (n + 1), -3);
    peak = Math.max(peak, allocated());
  }
  // without the cap, the pool would hold every size: ~60 sizes x 3 buffers x up to 240 KB (> 20 MB)
  expect(peak).toBeLessThan(cap + 2_000_000);
  const stats = defined(webGpuPoolStats(backend), 'webGpuPoolStats(backend)');
  expect(stats.evictedBuffers).toBeGreaterThan(before0.evictedBuffers);
  expect(stats.misses).toBeGreaterThan(before0.misses);
  const before = allocated();
  const freed = trimWebGpuBufferPool(backend);
  expect(freed).toBeGreaterThanOrEqual(0);
  expect(allocated()).toBe(before - freed);
});

const fakeManager = (free: Record<string, number[]>, allocated: number) => {
  const destroyed: number[] = [];
  const buf = (size: number) => ({ size, destroy: () => destroyed.push(size) });
  const freeBuffers = new Map(Object.entries(free).map(([k, sizes]) => [k, sizes.map(buf)]));
  const manager = {
    freeBuffers,
    numFreeBuffers: Object.values(free).flat().length,
    numBytesAllocated: allocated,
    numBytesUsed: 0,
    acquireBuffer(size: number, usage: number, _mapped?: boolean, reuse = true) {
      const list = reuse ? freeBuffers.get(`${size}_${usage}`) : undefined;
      if (list && list.length > 0) {
        this.numFreeBuffers -= 1;
        return defined(list.pop(), 'list.pop()');
      }
      this.numBytesAllocated += size;
      return buf(size);
    },
  };
  return { manager, destroyed };
};

it('evicts only when a reusable allocation misses the pool over the cap (not for one-off staging buffers)', () => {
  const { manager, destroyed } = fakeManager({ '100_4': [100] }, 150);
  const backend = { bufferManager: manager };
  expect(capWebGpuBufferPool(backend, 200, { staleAfter: 0 })).toBe(true);
  manager.acquireBuffer(100, 8, true, false); // staging: over the cap, but one-off
  expect(destroyed).toEqual([]);
  manager.acquireBuffer(60, 4, false, true); // misses over the cap: the free buffer goes
  expect(destroyed).toEqual([100]);
  expect(manager.numFreeBuffers).toBe(0);
  expect(webGpuPoolStats(backend)).toMatchObject({
    capBytes: 200,
    misses: 1,
    hits: 0,
    evictedBuffers: 1,
    evictedBytes: 100,
  });
  expect(capWebGpuBufferPool({}, 1)).toBe(false);
  expect(webGpuPoolStats({})).toBeUndefined();
});

it('evicts least recently used sizes first, and only as many bytes as the allocation needs', () => {
  // pool: two free 100-byte buffers (used long ago), one free 50 (used just now); 400 allocated, cap 420
  const { manager, destroyed } = fakeManager({ '100_4': [100, 100], '50_4': [50, 50] }, 400);
  const backend = { bufferManager: manager };
  capWebGpuBufferPool(backend, 420, { staleAfter: 0 });
  manager.acquireBuffer(100, 4); // hit: 100_4 used at t=1
  manager.acquireBuffer(50, 4); // hit: 50_4 used at t=2 (one 50 left free)
  expect(destroyed).toEqual([]);
  manager.acquireBuffer(80, 4); // miss: needs 60 bytes back; LRU key 100_4 gives one buffer, enough
  expect(destroyed).toEqual([100]);
  expect(manager.numBytesAllocated).toBe(380);
  expect(manager.freeBuffers.get('50_4')).toHaveLength(1); // the recently used size is kept
  expect(webGpuPoolStats(backend)).toMatchObject({ hits: 2, misses: 1, evictedBuffers: 1, evictedBytes: 100 });
});

it('never evicts sizes of the current working set: the pool grows past the cap instead (counted)', () => {
  const { manager, destroyed } = fakeManager({ '100_4': [100, 100] }, 400);
  const backend = { bufferManager: manager };
  capWebGpuBufferPool(backend, 420, { staleAfter: 10 });
  manager.acquireBuffer(100, 4); // hit: 100_4 used just now (t=1)
  manager.acquireBuffer(80, 4); // miss over the cap; 100_4 is not stale (used 1 allocation ago): kept
  expect(destroyed).toEqual([]);
  expect(manager.numBytesAllocated).toBe(480);
  for (let i = 0; i < 10; i++) manager.acquireBuffer(7, 8, false, false); // staging: does not age the pool
  for (let i = 0; i < 10; i++) manager.acquireBuffer(80, 4); // 80_4 keeps being used: 100_4 goes stale
  expect(destroyed).toEqual([100]); // the miss at which 100_4 went stale gave one buffer back (still over the cap)
  expect(webGpuPoolStats(backend)).toMatchObject({ misses: 11, overCap: 11, evictedBuffers: 1 });
});
