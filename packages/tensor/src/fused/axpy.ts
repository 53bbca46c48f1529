import * as tf from '@tensorflow/tfjs-core';
import { FusedOpError, f32Uniform as f32, flatProgram, onWebGpu, runInPlace } from './webgpu-program.js';

const WG = 256;

/**
 * result[i] = a * result[i] + b * x[i] (x squared when `square`; no x at all when `withX` is false): one
 * elementwise dispatch that updates its output buffer in place (AdamW moments, gradient accumulation, scaling).
 */
export function axpyProgram(shape: number[], square: boolean, withX = true) {
  const size = shape.reduce((a, b) => a * b, 1);
  const term = withX ? ` + uniforms.gain * ${square ? 'x[index] * x[index]' : 'x[index]'}` : '';
  return flatProgram(
    {
      variableNames: withX ? ['x'] : [],
      outputShape: shape,
      shaderKey: `magicAxpy_${withX ? (square ? 'sq' : 'lin') : 'scale'}`,
      uniforms: 'decay : f32, gain : f32, ',
      size: true,
      getUserCode: () => `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      result[index] = uniforms.decay * result[index]${term};
    }`,
    },
    Math.ceil(size / WG),
    WG,
  );
}

/**
 * target ← a · target + b · x in place (x: same element count, or omitted for target ← a · target), float32. Only on
 * WebGPU and only when no other tensor shares target's buffer: returns false, having done nothing, otherwise (the
 * caller computes functionally). Gradient accumulation (`a = b = 1`) and clip scaling without a new buffer.
 */
export function axpyInPlace(target: tf.Tensor, x: tf.Tensor | undefined, a: number, b = 1): boolean {
  if (x && x.size !== target.size) {
    throw new FusedOpError('axpyInPlace', `x has ${x.size} elements, target has ${target.size}`);
  }
  if (target.dtype !== 'float32' || (x && x.dtype !== 'float32')) {
    throw new FusedOpError('axpyInPlace', 'target and x must be float32');
  }
  if (!onWebGpu() || target.size === 0) return false;
  if (!x) return runInPlace(axpyProgram(target.shape, false, false), [], target, [f32(a), f32(0)]);
  const flat = tf.reshape(x, [x.size]);
  try {
    return runInPlace(axpyProgram(target.shape, false), [flat], target, [f32(a), f32(b)]);
  } finally {
    flat.dispose();
  }
}

/** Reference of axpyInPlace: a · target + b · x as a new tensor. */
export function axpyReference(target: tf.Tensor, x: tf.Tensor | undefined, a: number, b = 1): tf.Tensor {
  return tf.tidy(() => (x ? tf.add(tf.mul(target, a), tf.mul(tf.reshape(x, target.shape), b)) : tf.mul(target, a)));
}
