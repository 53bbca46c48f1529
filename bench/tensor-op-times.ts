// Wall time of a tensor op on the current backend, for the GEMM benches.
import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';

/** Mean ms of `iters` back-to-back calls of `fn`; one read-back of one element at the end waits for all of them. */
export async function timeOnce(fn: () => tf.Tensor, iters: number): Promise<number> {
  const start = performance.now();
  let probe: tf.Tensor | undefined;
  for (let i = 0; i < iters; i++) {
    probe?.dispose();
    probe = tf.tidy(() => tf.slice(tf.reshape(fn(), [-1]), [0], [1]));
  }
  const last = defined(probe, 'timed output');
  await last.data();
  last.dispose();
  return (performance.now() - start) / iters;
}

/** One warm-up call (compiles the kernels), then `runs` timings of `iters` calls each, in ms. */
export async function tensorOpTimes(fn: () => tf.Tensor, runs: number, iters: number): Promise<number[]> {
  await timeOnce(fn, 1);
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(await timeOnce(fn, iters));
  return times;
}
