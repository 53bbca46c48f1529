import type { AdamWStepParams } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { axpyProgram } from './axpy.js';
import { FusedOpError, f32Uniform as f32, flatProgram, onWebGpu, runInPlace } from './webgpu-program.js';

export type { AdamWStepParams };

/**
 * Unfused reference (the kernel's test oracle; @magic/grpo's AdamW holds the same math): m ← β1 m + (1-β1) g; v ← β2 v + (1-β2) g²; p ← p (1 - lr wd) - lr/c1 · m / (√(v/c2) + ε),
 * with c_i = 1 - β_i^step. Assigns the three variables.
 */
export function adamwStepReference(p: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, h: AdamWStepParams) {
  const c1 = 1 - h.beta1 ** h.step;
  const c2 = 1 - h.beta2 ** h.step;
  tf.tidy(() => {
    const decayed = h.weightDecay > 0 ? tf.mul(p, 1 - h.lr * h.weightDecay) : p;
    m.assign(tf.add(tf.mul(m, h.beta1), tf.mul(g, 1 - h.beta1)));
    v.assign(tf.add(tf.mul(v, h.beta2), tf.mul(tf.square(g), 1 - h.beta2)));
    const denom = tf.add(tf.sqrt(tf.div(v, c2)), h.epsilon);
    p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), h.lr / c1)));
  });
}

const WG = 256;

/** result[i] = result[i] * keep - step * m[i] / (sqrt(v[i] * invC2) + eps): the parameter update, in place. */
function paramProgram(shape: number[]) {
  const size = shape.reduce((a, b) => a * b, 1);
  return flatProgram(
    {
      variableNames: ['m', 'v'],
      outputShape: shape,
      shaderKey: 'magicAdamWParam',
      uniforms: 'keep : f32, stepSize : f32, invC2 : f32, eps : f32, ',
      size: true,
      getUserCode: () => `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      let denom = sqrt(v[index] * uniforms.invC2) + uniforms.eps;
      result[index] = result[index] * uniforms.keep - uniforms.stepSize * m[index] / denom;
    }`,
    },
    Math.ceil(size / WG),
    WG,
  );
}

function checkOperands(p: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, h: AdamWStepParams): void {
  for (const [name, t] of [
    ['m', m],
    ['v', v],
    ['g', g],
  ] as const) {
    if (t.size !== p.size) throw new FusedOpError('adamwStep', `${name} has ${t.size} elements, p has ${p.size}`);
  }
  if ([p, m, v, g].some((t) => t.dtype !== 'float32'))
    throw new FusedOpError('adamwStep', 'all tensors must be float32');
  if (!(Number.isInteger(h.step) && h.step >= 1))
    throw new FusedOpError('adamwStep', `step must be >= 1, got ${h.step}`);
}

/**
 * The fused path of @magic/grpo's `AdamW` (its `update` hook): on WebGPU, three elementwise dispatches write m, v
 * and p in place (instead of ~14 dispatches and three new buffers) and it returns true. Elsewhere, or when another
 * tensor shares one of the buffers, it touches nothing and returns false, so the optimiser runs its own math.
 */
export function adamwStepInPlace(
  p: tf.Variable,
  m: tf.Variable,
  v: tf.Variable,
  g: tf.Tensor,
  h: AdamWStepParams,
): boolean {
  checkOperands(p, m, v, g, h);
  if (!onWebGpu()) return false;
  const backend = tf.backend() as unknown as { refCount(id: object): number };
  if ([p, m, v].some((t) => backend.refCount(t.dataId) !== 1)) return false;
  const c1 = 1 - h.beta1 ** h.step;
  const c2 = 1 - h.beta2 ** h.step;
  const n = p.size;
  const flat = tf.reshape(g, [n]);
  try {
    runInPlace(axpyProgram(m.shape, false), [flat], m, [f32(h.beta1), f32(1 - h.beta1)]);
    runInPlace(axpyProgram(v.shape, true), [flat], v, [f32(h.beta2), f32(1 - h.beta2)]);
    runInPlace(paramProgram(p.shape), [m, v], p, [
      f32(1 - h.lr * h.weightDecay),
      f32(h.lr / c1),
      f32(1 / c2),
      f32(h.epsilon),
    ]);
  } finally {
    flat.dispose();
  }
  return true;
}

/** One AdamW step that always happens: `adamwStepInPlace`, else the reference (assign). */
export function adamwStep(p: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, h: AdamWStepParams): void {
  if (!adamwStepInPlace(p, m, v, g, h)) adamwStepReference(p, m, v, g, h);
}
