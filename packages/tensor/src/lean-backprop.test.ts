import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend/init-backend.js';
import './gradients.js';
import { expectNoLeaks } from './leaks.js';
import { installLeanBackprop, leanBackpropInstalled, uninstallLeanBackprop } from './lean-backprop.js';

/** A small MLP-like chain: matmuls, elementwise ops, a shared input used twice, a reduction. */
function chain(x: tf.Tensor2D, w1: tf.Tensor2D, w2: tf.Tensor2D): tf.Scalar {
  const h = tf.relu(tf.matMul(x, w1));
  const g = tf.mul(tf.sigmoid(h), h);
  const y = tf.add(tf.matMul(g, w2), tf.sum(x, 1, true));
  return tf.mean(tf.square(y));
}

const seeded = (seed: number, shape: [number, number]) => tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor2D;

async function gradsOf(lean: boolean): Promise<{ values: Float32Array[]; peak: number }> {
  if (lean) installLeanBackprop();
  else uninstallLeanBackprop();
  const [x, w1, w2] = [seeded(1, [32, 64]), seeded(2, [64, 128]), seeded(3, [128, 64])];
  let grads: tf.Tensor[] = [];
  const info = await tf.profile(() => {
    grads = tf.grads((a, b, c) => chain(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D))([x, w1, w2]);
  });
  const values = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
  tf.dispose([x, w1, w2, ...grads]);
  return { values, peak: info.peakBytes };
}

describe('lean backward pass', () => {
  beforeAll(async () => {
    await initBackend({ device: 'cpu' });
  });
  afterAll(() => installLeanBackprop());

  it('is installed by initBackend unless its leanBackprop option is false', async () => {
    expect(leanBackpropInstalled()).toBe(true);
    await initBackend({ device: 'cpu', leanBackprop: false });
    expect(leanBackpropInstalled()).toBe(false);
    await initBackend({ device: 'cpu' });
    expect(leanBackpropInstalled()).toBe(true);
  });

  it('gives the same gradients as tfjs with a lower peak, and leaks nothing', async () => {
    const plain = await gradsOf(false);
    const lean = await expectNoLeaks(() => gradsOf(true));
    expect(lean.values.map((g) => Array.from(g))).toEqual(plain.values.map((g) => Array.from(g)));
    expect(lean.peak).toBeLessThan(plain.peak);
  });

  it('runs the same kernels as tfjs: no gradients for inputs off the path from xs (masks, constants)', async () => {
    const kernels = async (lean: boolean) => {
      if (lean) installLeanBackprop();
      else uninstallLeanBackprop();
      const x = seeded(4, [8, 16]);
      const w = seeded(5, [16, 8]);
      const mask = tf.zeros([1, 8]);
      const info = await tf.profile(() => {
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.add(tf.matMul(a as tf.Tensor2D, w), mask)))(x);
        g.dispose();
      });
      tf.dispose([x, w, mask]);
      return info.kernels.map((k) => k.name);
    };
    const plain = await kernels(false);
    expect(await kernels(true)).toEqual(plain);
  });

  it('keeps the caller dy, gradients handed back as is, the same tensor for two inputs, and xs', async () => {
    installLeanBackprop();
    await expectNoLeaks(async () => {
      const x = tf.tensor1d([1, 2, 3]);
      const x2 = tf.tensor1d([4, 5, 6]);
      const dy = tf.tensor1d([1, 1, 2]);
      // identity-like gradient that returns dy itself for both inputs
      const both = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
        value: tf.add(args[0] as tf.Tensor, args[1] as tf.Tensor),
        gradFunc: (d: tf.Tensor) => [d, d],
      }));
      const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(both(a, b), 2))([x, x2], dy);
      expect(Array.from(await defined(ga, 'ga').data())).toEqual([2, 2, 4]);
      expect(Array.from(await defined(gb, 'gb').data())).toEqual([2, 2, 4]);
      expect(dy.isDisposed).toBe(false);
      expect(Array.from(await dy.data())).toEqual([1, 1, 2]);
      // x used twice in one op, and an x that is produced inside f's graph too
      const g2 = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(a, a)))(x);
      expect(Array.from(await g2.data())).toEqual([2, 4, 6]);
      tf.dispose([x, x2, dy, defined(ga, 'ga'), defined(gb, 'gb'), g2]);
    });
  });

  it('leaves higher-order gradients intact', async () => {
    installLeanBackprop();
    await expectNoLeaks(async () => {
      const x = tf.tensor1d([1, 2, 3]);
      // d²/dx² of x³ = 6x
      const second = tf.grad((a: tf.Tensor) => tf.grad((b: tf.Tensor) => tf.sum(tf.pow(b, 3)))(a))(x);
      const got = Array.from(await second.data());
      for (const [i, v] of got.entries()) expect(v).toBeCloseTo(at([6, 12, 18], i, '[6, 12, 18]'), 4);
      tf.dispose([x, second]);
    });
  });

  it('variableGrads through a nested tf.grads (gradient checkpointing pattern)', async () => {
    installLeanBackprop();
    const w = tf.variable(tf.tensor2d([0.5, -1, 2, 0.25], [2, 2]));
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const layer = (a: tf.Tensor, ws: tf.Tensor) => tf.tanh(tf.matMul(a, ws as tf.Tensor2D));
    const checkpointed = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [a, ws, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      save([a, ws]);
      return {
        value: layer(a, ws),
        gradFunc: (d: tf.Tensor, saved: tf.Tensor[]) =>
          tf.grads(layer)([at(saved, 0, 'saved'), at(saved, 1, 'saved')], d),
      };
    });
    const plain = tf.variableGrads(() => tf.sum(tf.square(layer(layer(x, w), w))) as tf.Scalar, [w]);
    const ckpt = tf.variableGrads(
      () => tf.sum(tf.square(checkpointed(checkpointed(x, w), w) as tf.Tensor)) as tf.Scalar,
      [w],
    );
    const [a, b] = await Promise.all([
      defined(plain.grads[w.name], 'plain.grads').data(),
      defined(ckpt.grads[w.name], 'ckpt.grads').data(),
    ]);
    for (const [i, v] of Array.from(a).entries()) expect(b[i]).toBeCloseTo(v, 5);
    tf.dispose([w, x, plain.value, ckpt.value, ...Object.values(plain.grads), ...Object.values(ckpt.grads)]);
  });
});
