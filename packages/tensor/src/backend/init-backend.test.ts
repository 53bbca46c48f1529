import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendInitError } from '../errors.js';
import { initBackend } from './init-backend.js';
import { releaseWebGpu } from './webgpu.js';

afterAll(() => releaseWebGpu());

describe('initBackend', () => {
  it('starts cpu explicitly', async () => {
    const info = await initBackend({ device: 'cpu' });
    expect(info).toEqual({ name: 'cpu', skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('starts wasm explicitly, with its binaries found at runtime', async () => {
    const info = await initBackend({ device: 'wasm' });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const y = tf.add(tf.tensor1d([1, 2]), 1);
    expect(Array.from(await y.data())).toEqual([2, 3]);
    y.dispose();
  });

  it('throws BackendInitError naming the reason for tensorflow when tfjs-node is not installed', async () => {
    const err = await initBackend({ device: 'tensorflow' }).catch((e: unknown) => e);
    expect(BackendInitError.isInstance(err)).toBe(true);
    expect((err as BackendInitError).device).toBe('tensorflow');
    expect((err as BackendInitError).reason).toMatch(
      /tfjs-node-gpu not installed; @tensorflow\/tfjs-node not installed/,
    );
  });

  it('auto picks wasm on a machine without a GPU when software WebGPU is not allowed, saying why', async () => {
    const info = await initBackend({ device: 'auto', allowSoftwareAdapter: false });
    expect(info.name).toBe('wasm');
    expect(info.skipped.map((s) => s.device)).toEqual(['tensorflow', 'webgpu']);
    expect(at(info.skipped, 1, 'info.skipped').reason).toMatch(
      /libvulkan\.so\.1 not found|no GPU device node|only a software adapter|no Vulkan adapter/,
    );
    expect(at(info.skipped, 1, 'info.skipped').reason).toMatch(/software WebGPU not allowed/);
  });

  it('explicit webgpu without a hardware adapter and without software allowed throws BackendInitError', async () => {
    const err = await initBackend({ device: 'webgpu', allowSoftwareAdapter: false }).catch((e: unknown) => e);
    expect(BackendInitError.isInstance(err)).toBe(true);
    expect((err as BackendInitError).reason).toMatch(/software WebGPU not allowed/);
  });

  it('starts webgpu on the software adapter when allowed, and reports it', async () => {
    const info = await initBackend({ device: 'webgpu', allowSoftwareAdapter: true });
    expect(info.name).toBe('webgpu');
    expect(info.adapter?.isSoftware).toBe(true);
    expect(info.adapter?.device).toMatch(/llvmpipe|lavapipe/i);
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
    y.dispose();
    await initBackend({ device: 'cpu' });
  });

  it('rejects an unknown device through the options schema', async () => {
    await expect(initBackend({ device: 'tpu' as never })).rejects.toThrow();
  });
});
