import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { AdamW, type AdamWUpdate } from './adamw.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function params(seed: number) {
  const t = tf.tensor2d([
    [0.5, -1, 2],
    [1.5, 0.25, -0.75],
  ]);
  const p = tf.variable(t, true, `adamw-test-${seed}`);
  t.dispose();
  return p;
}

it('a pluggable per-variable update gets the moments, gradient and step, and matches the built-in math', async () => {
  const grads = [
    tf.tensor2d([
      [0.1, -0.2, 0.3],
      [0.05, 0, -0.4],
    ]),
    tf.tensor2d([
      [-0.3, 0.1, 0.2],
      [0.2, -0.1, 0.1],
    ]),
  ];
  const builtIn = new AdamW({ betas: [0.9, 0.999], epsilon: 1e-8, weightDecay: 0.01 });
  const seen: number[] = [];
  // the same formulas written out, through the hook
  const update: AdamWUpdate = (p, m, v, g, h) => {
    seen.push(h.step);
    tf.tidy(() => {
      m.assign(tf.add(tf.mul(m, h.beta1), tf.mul(g, 1 - h.beta1)));
      v.assign(tf.add(tf.mul(v, h.beta2), tf.mul(tf.square(g), 1 - h.beta2)));
      const denom = tf.add(tf.sqrt(tf.div(v, 1 - h.beta2 ** h.step)), h.epsilon);
      const decayed = tf.mul(p, 1 - h.lr * h.weightDecay);
      p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), h.lr / (1 - h.beta1 ** h.step))));
    });
  };
  const hooked = new AdamW({ betas: [0.9, 0.999], epsilon: 1e-8, weightDecay: 0.01, update });
  const a = params(1);
  const b = params(2);
  for (const g of grads) {
    builtIn.apply([a], { [a.name]: g }, 0.1);
    hooked.apply([b], { [b.name]: g }, 0.1);
  }
  expect(seen).toEqual([1, 2]);
  const [x, y] = await Promise.all([a.data(), b.data()]);
  for (let i = 0; i < x.length; i++) expect(y[i]).toBeCloseTo(x[i]!, 6);
  builtIn.dispose();
  hooked.dispose();
  tf.dispose([a, b, ...grads]);
});
