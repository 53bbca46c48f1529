import { at, mulberry32 } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { initBackend } from '../backend/init-backend.js';
import { releaseWebGpu } from '../backend/webgpu.js';
import { seededNormal } from '../conformance/inputs.js';
import { expectNoLeaks } from '../leaks.js';

/**
 * A test file's backends: cpu first (for references) unless `withCpu` is false, then WebGPU on the software adapter
 * (Mesa llvmpipe in CI; the file fails if WebGPU does not come up), released after the file's tests.
 */
export function useSoftwareWebGpu({ withCpu = true }: { withCpu?: boolean } = {}): void {
  beforeAll(async () => {
    if (withCpu) await initBackend({ device: 'cpu' });
    expect((await initBackend({ device: 'webgpu', allowSoftwareAdapter: true })).name).toBe('webgpu');
  }, 60_000);
  afterAll(() => releaseWebGpu());
}

/** Runs `fn` on `backend` (already initialised) inside tidy, reads every output, and fails if anything leaked. */
export async function computeOn(
  backend: 'cpu' | 'webgpu',
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<(Float32Array | Int32Array)[]> {
  await tf.setBackend(backend);
  return expectNoLeaks(async () => {
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    const data = await Promise.all(list.map((t) => t.data() as Promise<Float32Array | Int32Array>));
    for (const t of list) t.dispose();
    return data;
  });
}

/** Largest violation of |a - ref| <= atol + rtol |ref| (<= 0 means within tolerance), and the largest abs error. */
export function closeness(
  a: ArrayLike<number>,
  ref: ArrayLike<number>,
  atol: number,
  rtol: number,
): { excess: number; maxAbs: number; at: number } {
  if (a.length !== ref.length) throw new Error(`length ${a.length} vs reference ${ref.length}`);
  let excess = Number.NEGATIVE_INFINITY;
  let maxAbs = 0;
  let worst = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(at(a, i, 'a') - at(ref, i, 'ref'));
    if (!Number.isFinite(d)) return { excess: Number.POSITIVE_INFINITY, maxAbs: d, at: i };
    const e = d - (atol + rtol * Math.abs(at(ref, i, 'ref')));
    if (e > excess) {
      excess = e;
      worst = i;
    }
    maxAbs = Math.max(maxAbs, d);
  }
  return { excess, maxAbs, at: worst };
}

/** Seeded normal tensor data of the given shape (call inside the backend's tidy). */
export function normal(seed: number, shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(seededNormal(seed, n, scale), shape, 'float32');
}

/** cos/sin tables [B,1,T,D] for integer positions (the computation of @magic/lm's ropeTables). */
export function ropeTablesFor(
  positions: number[][],
  headDim: number,
  theta: number,
): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const half = headDim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / theta ** ((2 * i) / headDim);
  const b = positions.length;
  const t = at(positions, 0, 'positions').length;
  const freqs = tf.mul(tf.reshape(tf.tensor2d(positions, [b, t], 'float32'), [b, t, 1]), tf.tensor1d(invFreq));
  const emb = tf.reshape(tf.concat([freqs, freqs], -1), [b, 1, t, headDim]);
  return { cos: tf.cos(emb) as tf.Tensor4D, sin: tf.sin(emb) as tf.Tensor4D };
}

/** Deterministic uniforms in [0,1) (@magic/core's mulberry32), [n] float32. */
export function uniformsFor(seed: number, n: number): tf.Tensor1D {
  const next = mulberry32(seed);
  return tf.tensor1d(Float32Array.from({ length: n }, next), 'float32');
}
