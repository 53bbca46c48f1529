import * as tf from '@tensorflow/tfjs-core';

/** Σ g² of one gradient tensor as a scalar (a backend may plug in a faster kernel than square + sum). */
export type SumOfSquares = (g: tf.Tensor) => tf.Scalar;

const squareSum: SumOfSquares = (g) => tf.sum(tf.square(g));

/**
 * Global-norm gradient clipping (torch `clip_grad_norm_`): `coef = maxNorm / (‖g‖ + 1e-6)`, gradients
 * scaled by `min(1, coef)`. Returns the pre-clip norm and new gradient tensors (inputs are not disposed).
 * `sumOfSquares` computes each tensor's Σ g² (default: square + sum).
 */
export async function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
  sumOfSquares: SumOfSquares = squareSum,
): Promise<{ norm: number; grads: Record<string, tf.Tensor> }> {
  const names = Object.keys(grads);
  if (names.length === 0) return { norm: 0, grads: {} };
  // stack of per-tensor scalars, not one wide addN: WebGPU allows few storage buffers per shader
  const normT = tf.tidy(() => tf.sqrt(tf.sum(tf.stack(names.map((n) => sumOfSquares(grads[n]!))))));
  const norm = (await normT.data())[0] ?? Number.NaN;
  normT.dispose();
  const coef = Math.min(1, maxNorm / (norm + 1e-6));
  const out: Record<string, tf.Tensor> = {};
  for (const n of names) out[n] = tf.mul(grads[n]!, coef);
  return { norm, grads: out };
}

/**
 * Adds gradient map `g` into `acc` by variable name (gradient accumulation over micro-batches): both inputs'
 * tensors are consumed (added ones disposed, new names moved in). Returns `acc`.
 */
export function accumulateGradients(
  acc: Record<string, tf.Tensor>,
  g: Record<string, tf.Tensor>,
): Record<string, tf.Tensor> {
  for (const [name, t] of Object.entries(g)) {
    const prev = acc[name];
    if (prev) {
      acc[name] = tf.add(prev, t);
      prev.dispose();
      t.dispose();
    } else {
      acc[name] = t;
    }
  }
  return acc;
}
