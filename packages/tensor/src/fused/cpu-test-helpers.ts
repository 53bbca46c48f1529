import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { closeness, computeOn } from './test-helpers.js';

/**
 * On cpu: the fused op (custom gradient) and the reference (autodiff) give the same value and gradients
 * for `dy`-weighted sums, within atol/rtol, and leak nothing.
 */
export async function expectSameGrads(
  inputs: () => tf.Tensor[],
  fused: (...xs: tf.Tensor[]) => tf.Tensor,
  reference: (...xs: tf.Tensor[]) => tf.Tensor,
  dy: (shape: number[]) => tf.Tensor,
  atol = 1e-5,
  rtol = 1e-4,
): Promise<void> {
  const run = (f: (...xs: tf.Tensor[]) => tf.Tensor) => () => {
    const xs = inputs();
    const y = f(...xs);
    const w = dy(y.shape);
    return [y, ...tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), w)))(xs)];
  };
  const got = await computeOn('cpu', run(fused));
  const ref = await computeOn('cpu', run(reference));
  expect(got.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const c = closeness(at(got, i, 'got'), at(ref, i, 'ref'), atol, rtol);
    expect(c.excess, `output ${i}: max abs error ${c.maxAbs}`).toBeLessThanOrEqual(0);
  }
}
