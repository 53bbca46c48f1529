import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { seededNormal } from './inputs.js';

/** One numeric test: `run` computes named outputs on the current backend; all tensors are freed. */
export interface ConformanceCase {
  name: string;
  /** |x - ref| <= atol + rtol * |ref| elementwise, ref computed on cpu. */
  atol: number;
  rtol: number;
  run: () => Promise<Record<string, Float32Array | Int32Array>>;
}

const t2 = (seed: number, r: number, c: number, scale = 1) => tf.tensor2d(seededNormal(seed, r * c, scale), [r, c]);

/** Evaluates `f` in a tidy scope, reads every output back, then frees them. */
async function outputs(f: () => Record<string, tf.Tensor>): Promise<Record<string, Float32Array | Int32Array>> {
  const ts = tf.tidy(f);
  try {
    const out: Record<string, Float32Array | Int32Array> = {};
    for (const [k, t] of Object.entries(ts)) out[k] = (await t.data()) as Float32Array | Int32Array;
    return out;
  } finally {
    tf.dispose(Object.values(ts));
  }
}

function mlpLoss(x: tf.Tensor2D, labels: tf.Tensor2D, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) {
  const h = tf.tanh(tf.add(tf.matMul(x, w1 as tf.Tensor2D), b1));
  const logits = tf.add(tf.matMul(h, w2 as tf.Tensor2D), b2);
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1))) as tf.Scalar;
}

export const CONFORMANCE_CASES: ConformanceCase[] = [
  {
    name: 'matmul',
    atol: 1e-4,
    rtol: 1e-4,
    run: () => outputs(() => ({ y: tf.matMul(t2(1, 33, 17), t2(2, 17, 9)) })),
  },
  {
    name: 'matmul-transposed',
    atol: 1e-4,
    rtol: 1e-4,
    run: () =>
      outputs(() => {
        const a = tf.tensor3d(seededNormal(3, 2 * 17 * 12), [2, 17, 12]);
        const b = tf.tensor3d(seededNormal(4, 2 * 9 * 17), [2, 9, 17]);
        const c = tf.tensor3d(seededNormal(5, 2 * 12 * 17), [2, 12, 17]);
        return { tA: tf.matMul(a, c, true, true), tB: tf.matMul(c, b, false, true), tAB: tf.matMul(a, b, true, true) };
      }),
  },
  {
    name: 'softmax',
    atol: 1e-6,
    rtol: 1e-4,
    run: () => outputs(() => ({ y: tf.softmax(t2(6, 4, 37, 4)) })),
  },
  {
    name: 'logSoftmax',
    atol: 1e-4,
    rtol: 1e-4,
    run: () => outputs(() => ({ y: tf.logSoftmax(t2(7, 4, 37, 8)) })),
  },
  {
    name: 'gather-and-gradient',
    atol: 1e-5,
    rtol: 1e-4,
    run: () =>
      outputs(() => {
        const table = t2(8, 50, 8);
        const idx = tf.tensor1d([3, 0, 49, 3, 7, 7, 7, 12, 0, 25, 3, 48, 1], 'int32');
        const w = t2(9, 13, 8);
        const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, idx), w));
        return { y: tf.gather(table, idx), grad: tf.grad(f)(table) };
      }),
  },
  {
    name: 'mlp-gradient',
    atol: 1e-4,
    rtol: 1e-3,
    run: () =>
      outputs(() => {
        const x = t2(10, 8, 6);
        const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 1, 0, 2, 2, 1], 'int32'), 3) as tf.Tensor2D;
        const w1 = t2(11, 6, 16, 0.5);
        const b1 = tf.tensor1d(seededNormal(12, 16, 0.1));
        const w2 = t2(13, 16, 3, 0.5);
        const b2 = tf.zeros([3]);
        const [dW1, db1, dW2, db2] = tf.grads((...p) =>
          mlpLoss(x, labels, defined(p[0], 'w1'), defined(p[1], 'b1'), defined(p[2], 'w2'), defined(p[3], 'b2')),
        )([w1, b1, w2, b2]);
        return {
          loss: mlpLoss(x, labels, w1, b1, w2, b2),
          dW1: defined(dW1, 'dW1'),
          db1: defined(db1, 'db1'),
          dW2: defined(dW2, 'dW2'),
          db2: defined(db2, 'db2'),
        };
      }),
  },
  {
    name: 'rsqrt-mean-rmsnorm',
    atol: 1e-5,
    rtol: 1e-4,
    run: () =>
      outputs(() => {
        const x = t2(14, 6, 32, 3);
        const ms = tf.mean(tf.square(x), -1, true);
        return { rsqrt: tf.rsqrt(tf.add(ms, 1e-6)), y: tf.mul(x, tf.rsqrt(tf.add(ms, 1e-6))), mean: tf.mean(x, 0) };
      }),
  },
  {
    name: 'concat-slice',
    atol: 0,
    rtol: 0,
    run: () =>
      outputs(() => {
        const a = t2(15, 5, 7);
        const b = t2(16, 5, 3);
        const c = tf.concat([a, b], 1);
        return { c, s: tf.slice(c, [1, 4], [3, 5]), c0: tf.concat([a, tf.slice(a, [2, 0], [2, 7])], 0) };
      }),
  },
];
