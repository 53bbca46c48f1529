import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs' WebGPU buffer pool keeps every freed GPU buffer for reuse by exact size and never gives memory back,
 * so a run whose shapes vary (SFT batches of different lengths, growing sequences) grows the pool until Dawn
 * runs out of device memory although the live tensors are small (the gpu-small SFT phase did).
 * The cap is soft: when a new allocation would take the pool above it, free buffers of *stale* sizes (not
 * acquired in the last `staleAfter` allocations) go back, least recently used first and only as many as the
 * allocation needs. Sizes of the current working set are never evicted: when it is larger than the cap the pool
 * grows past it (counted in `overCap`) instead of rebuilding buffers on every miss (a hard cap made a GRPO update
 * several times slower).
 */

interface GpuBufferLike {
  destroy(): void;
  size: number;
}
interface BufferManagerLike {
  acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GpuBufferLike;
  freeBuffers: Map<string, GpuBufferLike[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
  numBytesUsed: number;
  __magicPool?: PoolState;
}
interface BackendWithPool {
  bufferManager?: BufferManagerLike;
}

/** Counters of a capped pool since it was capped (for benchmarks: allocation churn shows up here). */
export interface WebGpuPoolStats {
  capBytes: number;
  /** Reusable allocations that missed the pool (a new GPU buffer each). */
  misses: number;
  /** Allocations served from the pool. */
  hits: number;
  /** Free buffers destroyed to stay under the cap, and their bytes. */
  evictedBuffers: number;
  evictedBytes: number;
  /** Allocations that took the pool above the cap because no stale free buffer was left to give back. */
  overCap: number;
}

export interface PoolCapOptions {
  /** A pool size is stale when it was not acquired in this many allocations (default 32768). */
  staleAfter?: number;
}

interface PoolState extends WebGpuPoolStats {
  /** Last use (acquire counter) per pool key. */
  lastUse: Map<string, number>;
  clock: number;
  staleAfter: number;
}

const DEFAULT_STALE_AFTER = 32_768;

/** Default cap in bytes, 16 GB (InitBackendOptions.webGpuPoolCapBytes sets another; CLIs: $MAGIC_WEBGPU_POOL_GB). */
export const DEFAULT_POOL_CAP_BYTES = 16e9;

function managerOf(backend: unknown): BufferManagerLike | undefined {
  const m = (backend as BackendWithPool | undefined)?.bufferManager;
  return m && typeof m.acquireBuffer === 'function' && m.freeBuffers instanceof Map ? m : undefined;
}

function destroyFree(m: BufferManagerLike, list: GpuBufferLike[], count = list.length): number {
  let freed = 0;
  for (let i = 0; i < count; i++) {
    const b = defined(list.pop(), 'free buffer');
    freed += b.size;
    b.destroy();
  }
  m.numFreeBuffers -= count;
  m.numBytesAllocated -= freed;
  return freed;
}

/** Destroys every free (pooled, unused) buffer; returns the bytes given back. Safe: free buffers are unreferenced. */
export function trimWebGpuBufferPool(backend: unknown = tf.findBackend('webgpu')): number {
  const m = managerOf(backend);
  if (!m) return 0;
  let freed = 0;
  for (const list of m.freeBuffers.values()) freed += destroyFree(m, list);
  return freed;
}

/**
 * Gives back free buffers of stale pool keys, least recently used first, until `bytes` more fit under the cap
 * (or no stale free buffer is left). Returns the bytes given back.
 */
function evict(m: BufferManagerLike, state: PoolState, bytes: number): number {
  const staleBefore = state.clock - state.staleAfter;
  const keys = [...m.freeBuffers.entries()]
    .filter(([key, list]) => list.length > 0 && (state.lastUse.get(key) ?? 0) < staleBefore)
    .sort(([a], [b]) => (state.lastUse.get(a) ?? 0) - (state.lastUse.get(b) ?? 0));
  let freed = 0;
  for (const [, list] of keys) {
    while (list.length > 0 && m.numBytesAllocated + bytes > state.capBytes) {
      freed += destroyFree(m, list, 1);
      state.evictedBuffers += 1;
    }
    if (m.numBytesAllocated + bytes <= state.capBytes) break;
  }
  state.evictedBytes += freed;
  return freed;
}

/**
 * Caps the pool of a tfjs WebGPU backend (softly, see above): before a reusable allocation that finds no free
 * buffer of its size and would take the allocated bytes above `capBytes`, free buffers of stale sizes are
 * destroyed, least recently used first, until it fits. Live tensors are never touched, so the cap bounds the
 * pool's leftovers, not the working set. Idempotent per backend (a second call only changes the cap and
 * options); returns false if the backend has no pool.
 */
export function capWebGpuBufferPool(
  backend: unknown,
  capBytes = DEFAULT_POOL_CAP_BYTES,
  options: PoolCapOptions = {},
): boolean {
  const m = managerOf(backend);
  if (!m) return false;
  const staleAfter = options.staleAfter ?? DEFAULT_STALE_AFTER;
  if (m.__magicPool) {
    m.__magicPool.capBytes = capBytes;
    m.__magicPool.staleAfter = staleAfter;
    return true;
  }
  const state: PoolState = {
    staleAfter,
    overCap: 0,
    capBytes,
    misses: 0,
    hits: 0,
    evictedBuffers: 0,
    evictedBytes: 0,
    lastUse: new Map(),
    clock: 0,
  };
  const acquire = m.acquireBuffer.bind(m);
  m.acquireBuffer = (size, usage, mappedAtCreation, reuse) => {
    // One-off staging buffers (reuse = false) are destroyed after use: they neither count nor evict.
    if (reuse !== false) {
      const key = `${size}_${usage}`;
      state.lastUse.set(key, ++state.clock);
      const pooled = m.freeBuffers.get(key);
      if (pooled && pooled.length > 0) state.hits += 1;
      else {
        state.misses += 1;
        if (m.numBytesAllocated + size > state.capBytes) {
          if (m.numFreeBuffers > 0) evict(m, state, size);
          if (m.numBytesAllocated + size > state.capBytes) state.overCap += 1;
        }
      }
    }
    return acquire(size, usage, mappedAtCreation, reuse);
  };
  m.__magicPool = state;
  return true;
}

/**
 * Counts allocations that did not happen through the pool as if they had: each key is marked used, in order, and
 * the staleness clock advances by one per key. A dispatch-graph replay re-runs the work of a step whose
 * allocations were recorded once; without this the clock would stand still while a decode loop runs, and buffers
 * of sizes the loop no longer uses (a long prefill's) would stay "recent" and never be evicted (measured on an H200:
 * the gpu-small trainer ran out of device memory after a replayed rollout, and not without the replay).
 */
export function touchWebGpuPool(keys: readonly string[], backend: unknown = tf.findBackend('webgpu')): void {
  const state = managerOf(backend)?.__magicPool;
  if (!state) return;
  for (const key of keys) state.lastUse.set(key, ++state.clock);
}

/** The counters of the WebGPU backend's capped pool, or undefined when there is none. */
export function webGpuPoolStats(backend: unknown = tf.findBackend('webgpu')): WebGpuPoolStats | undefined {
  const s = managerOf(backend)?.__magicPool;
  if (!s) return undefined;
  const { capBytes, misses, hits, evictedBuffers, evictedBytes, overCap } = s;
  return { capBytes, misses, hits, evictedBuffers, evictedBytes, overCap };
}
