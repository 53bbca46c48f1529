import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs' WebGPU buffer pool keeps every freed GPU buffer for reuse by exact size and never gives memory back,
 * so a run whose shapes vary (SFT batches of different lengths, growing sequences) grows the pool until Dawn
 * runs out of device memory although the live tensors are small (measured on an H200: 5.9 GB of tensors,
 * 94 GB allocated after a GRPO update; the gpu-small SFT phase failed with VK_ERROR_OUT_OF_DEVICE_MEMORY).
 * The cap destroys the pool's free buffers whenever a new allocation would take the pool above it.
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
  __magicCapped?: boolean;
}
interface BackendWithPool {
  bufferManager?: BufferManagerLike;
}

/** Default cap in bytes: $MAGIC_WEBGPU_POOL_GB (GB, decimal) or 16 GB. */
export function defaultPoolCapBytes(): number {
  const gb = Number(process.env.MAGIC_WEBGPU_POOL_GB);
  return (Number.isFinite(gb) && gb > 0 ? gb : 16) * 1e9;
}

function managerOf(backend: unknown): BufferManagerLike | undefined {
  const m = (backend as BackendWithPool | undefined)?.bufferManager;
  return m && typeof m.acquireBuffer === 'function' && m.freeBuffers instanceof Map ? m : undefined;
}

/** Destroys every free (pooled, unused) buffer; returns the bytes given back. Safe: free buffers are unreferenced. */
export function trimWebGpuBufferPool(backend: unknown = tf.findBackend('webgpu')): number {
  const m = managerOf(backend);
  if (!m) return 0;
  let freed = 0;
  for (const list of m.freeBuffers.values()) {
    for (const b of list) {
      freed += b.size;
      b.destroy();
    }
    list.length = 0;
  }
  m.numFreeBuffers = 0;
  m.numBytesAllocated -= freed;
  return freed;
}

/**
 * Caps the pool of a tfjs WebGPU backend: before an allocation that finds no free buffer of its size and would
 * take the allocated bytes above `capBytes`, the free buffers are destroyed. Live tensors are never touched, so
 * the cap bounds the pool, not the working set. Idempotent per backend; returns false if the backend has no pool.
 */
export function capWebGpuBufferPool(backend: unknown, capBytes = defaultPoolCapBytes()): boolean {
  const m = managerOf(backend);
  if (!m) return false;
  if (m.__magicCapped) return true;
  const acquire = m.acquireBuffer.bind(m);
  m.acquireBuffer = (size, usage, mappedAtCreation, reuse) => {
    // Only a reusable allocation that misses the pool grows it (one-off staging buffers, reuse = false, are
    // destroyed after use: trimming for them would throw the working set away on every upload).
    if (reuse !== false && m.numBytesAllocated + size > capBytes && m.numFreeBuffers > 0) {
      const pooled = m.freeBuffers.get(`${size}_${usage}`);
      if (!pooled || pooled.length === 0) trimWebGpuBufferPool(backend);
    }
    return acquire(size, usage, mappedAtCreation, reuse);
  };
  m.__magicCapped = true;
  return true;
}
