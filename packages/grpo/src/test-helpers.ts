import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import type { AxpyInPlace } from './grad-clip.js';

/**
 * Test helper: an in-place a·t + b·x that writes the cpu backend's own storage, as @magic/tensor's axpyInPlace
 * does on WebGPU (declines, like it, when another tensor shares the buffer, or always with `decline`). Records
 * 'add' / 'scale' per call that wrote.
 */
export function cpuAxpy(calls: string[], decline = false): AxpyInPlace {
  return (t, x, a, b = 1) => {
    const backend = tf.backend() as unknown as {
      refCount(id: object): number;
      data: { get(id: object): { values: Float32Array } };
    };
    if (decline || backend.refCount(t.dataId) !== 1) return false;
    calls.push(x ? 'add' : 'scale');
    const values = backend.data.get(t.dataId).values;
    const xs = x?.dataSync();
    for (const [i, v] of values.entries()) values[i] = a * v + b * (xs ? at(xs, i, 'x') : 0);
    return true;
  };
}
