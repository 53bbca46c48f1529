import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebGpuError } from '../errors.js';
import { initBackend } from './init-backend.js';
import { releaseWebGpu, webGpuDevice } from './webgpu.js';
import { checkWebGpuErrors, onWebGpuError, settleWebGpu, webGpuErrorCount } from './webgpu-errors.js';
import { webGpuPoolStats } from './webgpu-pool.js';

interface DeviceForTest {
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  createBuffer(desc: { size: number; usage: number }): { destroy(): void };
  queue: { onSubmittedWorkDone(): Promise<void> };
  addEventListener: never;
  lost: never;
}

/** releaseWebGpu + initBackend gives a fresh device on which computation is right again. */
async function restart() {
  releaseWebGpu();
  await initBackend({ device: 'webgpu', allowSoftwareAdapter: true });
  const ok = tf.sum(tf.tensor1d([1, 2, 3]));
  expect(Array.from(await ok.data())).toEqual([6]);
  ok.dispose();
}

beforeAll(async () => {
  await initBackend({ device: 'webgpu', allowSoftwareAdapter: true });
});
afterAll(() => releaseWebGpu());

describe('WebGPU error capture (software adapter)', () => {
  it('turns an uncaptured Dawn error into a WebGpuError at the next read-back, then recovers', async () => {
    const device = webGpuDevice() as DeviceForTest;
    const seen: WebGpuError[] = [];
    const off = onWebGpuError((e) => seen.push(e));
    const before = webGpuErrorCount();
    const x = tf.tensor1d([1, 2, 3]);
    // A buffer over maxBufferSize: Dawn reports a validation error instead of throwing.
    const usage = (globalThis as unknown as { GPUBufferUsage: { STORAGE: number } }).GPUBufferUsage.STORAGE;
    const bad = device.createBuffer({ size: device.limits.maxBufferSize + 4, usage });
    const y = tf.mul(x, 2);
    const err = await y.data().catch((e: unknown) => e);
    off();
    bad.destroy();
    expect(WebGpuError.isInstance(err)).toBe(true);
    expect((err as WebGpuError).kind).toBe('validation');
    expect((err as WebGpuError).message).toMatch(/size/i);
    expect(webGpuErrorCount()).toBeGreaterThan(before);
    expect(seen).toHaveLength(1);
    tf.dispose([x, y]);
    await restart();
  });

  it('stops a tfjs computation on a tensor over maxStorageBufferBindingSize instead of returning a result', async () => {
    const device = webGpuDevice() as DeviceForTest;
    const n = device.limits.maxStorageBufferBindingSize / 4 + 1024;
    const before = tf.memory().numTensors;
    const x = tf.fill([n], 1.5);
    const s = tf.sum(tf.add(x, 1));
    const err = await s.data().catch((e: unknown) => e);
    tf.dispose(x);
    tf.dispose(s);
    expect(WebGpuError.isInstance(err)).toBe(true);
    expect((err as WebGpuError).message).toMatch(/maximum storage buffer binding size/);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 1); // only the add's intermediate is unreachable
    // the backend is poisoned: later reads fail too (they could read pooled invalid buffers) ...
    const next = tf.sum(tf.tensor1d([1, 2, 3]));
    await expect(next.data()).rejects.toThrow(/backend unusable after an earlier error/);
    next.dispose();
    await restart();
  });

  it('checkWebGpuErrors throws the first pending error and counts the rest', async () => {
    const device = webGpuDevice() as DeviceForTest;
    const usage = (globalThis as unknown as { GPUBufferUsage: { STORAGE: number } }).GPUBufferUsage.STORAGE;
    device.createBuffer({ size: device.limits.maxBufferSize + 4, usage }).destroy();
    device.createBuffer({ size: device.limits.maxBufferSize + 8, usage }).destroy();
    await settleWebGpu(device as never);
    let caught: unknown;
    try {
      checkWebGpuErrors();
    } catch (e) {
      caught = e;
    }
    expect(WebGpuError.isInstance(caught)).toBe(true);
    expect((caught as WebGpuError).suppressed).toBeGreaterThanOrEqual(1);
    expect(() => checkWebGpuErrors()).not.toThrow();
  });
});

describe('initBackend without the WebGPU engine patches (software adapter)', () => {
  it('webGpuErrorCapture false: Dawn errors are not captured, reads stay tfjs own; webGpuPoolCapBytes false', async () => {
    releaseWebGpu();
    await initBackend({
      device: 'webgpu',
      allowSoftwareAdapter: true,
      webGpuErrorCapture: false,
      webGpuPoolCapBytes: false,
    });
    try {
      const device = webGpuDevice() as DeviceForTest;
      const before = webGpuErrorCount();
      const usage = (globalThis as unknown as { GPUBufferUsage: { STORAGE: number } }).GPUBufferUsage.STORAGE;
      const bad = device.createBuffer({ size: device.limits.maxBufferSize + 4, usage });
      const y = tf.mul(tf.tensor1d([1, 2, 3]), 2);
      // the same error that the first test turns into a WebGpuError: here nothing listens and the read succeeds
      expect(Array.from(await y.data())).toEqual([2, 4, 6]);
      await settleWebGpu(device as never);
      bad.destroy();
      y.dispose();
      expect(webGpuErrorCount()).toBe(before);
      expect(() => checkWebGpuErrors()).not.toThrow();
      expect(webGpuPoolStats()).toBeUndefined();
    } finally {
      await restart();
    }
    // the default start patches both again
    expect(webGpuPoolStats()).toBeDefined();
  });
});
