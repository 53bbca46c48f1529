import * as tf from '@tensorflow/tfjs-core';

/** Σ g² of one gradient tensor as a scalar (a backend may plug in a faster kernel than square + sum). */
export type SumOfSquares = (g: tf.Tensor) => tf.Scalar;

const squareSum: SumOfSquares = (g) => tf.sum(tf.square(g));

/**
 * target ← a · target + b · x written into target's own buffer (x omitted: target ← a · target); returns false,
 * having done nothing, when it cannot (e.g. @magic/tensor's `axpyInPlace`, WebGPU only). Lets gradient
 * accumulation and clipping run without a second copy of every gradient.
 */
export type AxpyInPlace = (target: tf.Tensor, x: tf.Tensor | undefined, a: number, b?: number) => boolean;

/**
 * Global-norm gradient clipping (torch `clip_grad_norm_`): `coef = maxNorm / (‖g‖ + 1e-6)`, gradients
 * scaled by `min(1, coef)`. Returns the pre-clip norm and the clipped gradients, which the caller disposes as well
 * as the inputs (they are not disposed here). `sumOfSquares` computes each tensor's Σ g² (default: square + sum).
 * With `axpy`, gradients are scaled in their own buffers where it can (the input tensor is returned, modified);
 * without it, or where it declines, as new tensors. Unclipped gradients come back as clones (no copy).
 */
export async function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
  sumOfSquares: SumOfSquares = squareSum,
  axpy?: AxpyInPlace,
): Promise<{ norm: number; grads: Record<string, tf.Tensor> }> {
  const entries = Object.entries(grads);
  if (entries.length === 0) return { norm: 0, grads: {} };
  // stack of per-tensor scalars, not one wide addN: WebGPU allows few storage buffers per shader
  const normT = tf.tidy(() => tf.sqrt(tf.sum(tf.stack(entries.map(([, g]) => sumOfSquares(g))))));
  const norm = (await normT.data())[0] ?? Number.NaN;
  normT.dispose();
  const coef = Math.min(1, maxNorm / (norm + 1e-6));
  const out: Record<string, tf.Tensor> = {};
  for (const [n, g] of entries) {
    if (coef === 1) out[n] = tf.clone(g);
    else out[n] = axpy?.(g, undefined, coef) ? g : tf.mul(g, coef);
  }
  return { norm, grads: out };
}

/**
 * Adds gradient map `g` into `acc` by variable name (gradient accumulation over micro-batches): both inputs'
 * tensors are consumed (added ones disposed, new names moved in). Returns `acc`. With `axpy`, sums go into the
 * accumulated tensor's own buffer where it can (no third buffer per variable).
 */
export function accumulateGradients(
  acc: Record<string, tf.Tensor>,
  g: Record<string, tf.Tensor>,
  axpy?: AxpyInPlace,
): Record<string, tf.Tensor> {
  for (const [name, t] of Object.entries(g)) {
    const prev = acc[name];
    if (!prev) {
      acc[name] = t;
      continue;
    }
    if (!axpy?.(prev, t, 1, 1)) {
      acc[name] = tf.add(prev, t);
      prev.dispose();
    }
    t.dispose();
  }
  return acc;
}
