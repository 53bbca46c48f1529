import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend/init-backend.js';
import { MagicError } from './errors.js';
import { ensureGradients } from './gradients.js';
import { expectNoLeaks, TensorLeakError } from './leaks.js';

describe('expectNoLeaks and gradients', () => {
  it('passes a tidy block through and returns its value', async () => {
    await initBackend({ device: 'cpu' });
    const v = await expectNoLeaks(async () => {
      const t = tf.tidy(() => tf.sum(tf.square(tf.tensor1d([1, 2]))));
      const d = await t.data();
      t.dispose();
      return d[0];
    });
    expect(v).toBe(5);
  });

  it('throws TensorLeakError when a block leaves tensors behind', async () => {
    let kept: tf.Tensor | undefined;
    const err = await expectNoLeaks(() => {
      kept = tf.ones([2]);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TensorLeakError);
    expect(MagicError.isInstance(err)).toBe(true);
    expect((err as TensorLeakError).leaked).toBe(1);
    kept?.dispose();
  });

  it('importing @magic/tensor registered gradients (Node tfjs-core has none)', async () => {
    expect(() => ensureGradients()).not.toThrow();
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)));
    const dx = g(tf.tensor1d([1, -2]));
    expect(Array.from(await dx.data())).toEqual([2, -4]);
  });
});
