import * as tf from '@tensorflow/tfjs-core';
import { ROPE_ELEMENT_WGSL, ropeReference, rotateHalfT } from './rope.js';
import { FusedOpError, flatProgram, onWebGpu, runProgram, withGrad } from './webgpu-program.js';

/** inverse frequencies 1 / theta^(2i/D), i < D/2, rounded to float32 once (as @magic/lm's ropeTables). */
export function inverseFrequencies(headDim: number, theta: number): Float32Array {
  const half = headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / theta ** ((2 * i) / headDim);
  return inv;
}

/** Unfused cos/sin tables [B,1,T,D] for integer positions [B,T] (the computation of @magic/lm's ropeTables). */
export function ropeTables(
  positions: tf.Tensor2D,
  headDim: number,
  theta: number,
): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  return tf.tidy(() => {
    const [b, t] = positions.shape;
    const freqs = tf.mul(
      tf.reshape(tf.cast(positions, 'float32'), [b, t, 1]),
      tf.tensor1d(inverseFrequencies(headDim, theta)),
    );
    const emb = tf.reshape(tf.concat([freqs, freqs], -1), [b, 1, t, headDim]);
    return { cos: tf.cos(emb) as tf.Tensor4D, sin: tf.sin(emb) as tf.Tensor4D };
  });
}

/** Unfused reference of fusedRopeAt: ropeTables, then x * cos + rotate_half(x) * sin. */
export function ropeAtReference(x: tf.Tensor4D, positions: tf.Tensor2D, theta: number): tf.Tensor4D {
  return tf.tidy(() => {
    const { cos, sin } = ropeTables(positions, x.shape[3], theta);
    return ropeReference(x, cos, sin);
  });
}

const WG = 64;

/**
 * WGSL `ropeCs(pos, invFreq) -> vec2(cos, sin)`: angle = f32(position) * invFreq (the same float32 product as the
 * tables), reduced to [-pi, pi] with a three-part 2*pi (Cody-Waite) first: GPU cos/sin are only accurate near zero.
 */
export const ROPE_CS_WGSL = `
    fn ropeCs(pos : i32, f : f32) -> vec2<f32> {
      let a = f32(pos) * f;
      let k = round(a * 0.15915494309189535);
      let r = ((a - k * 6.28125) - k * 0.0019353071693331003) - k * 1.0253131677018246e-11;
      return vec2<f32>(cos(r), sin(r));
    }`;

/** Elementwise rope with cos/sin from positions (`sinSign` -1 rotates back: the backward pass). */
function ropeAtProgram(shape: number[]) {
  const size = shape.reduce((a, b) => a * b, 1);
  return flatProgram(
    {
      variableNames: ['x', 'pos', 'invFreq'],
      outputShape: shape,
      shaderKey: 'magicRopeAt',
      size: true,
      uniforms: 'sinSign : f32, ',
      getUserCode: () => `
    ${ROPE_CS_WGSL}
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      ${ROPE_ELEMENT_WGSL}
      let cs = ropeCs(pos[b * t + ti], invFreq[col % half]);
      let c = cs.x;
      let s = uniforms.sinSign * cs.y;
      result[index] = x[index] * c + rot * s;
    }`,
    },
    Math.ceil(size / WG),
    WG,
  );
}

/**
 * Rotary embedding at integer positions: x [B,heads,T,D], positions [B,T] int32 -> x * cos + rotate_half(x) * sin
 * with cos/sin of position * theta^(-2i/D) computed in the kernel (no [B,1,T,D] tables).
 * WebGPU: one elementwise dispatch, forward and backward (the gradient is the rotation by -angle), with the angle
 * reduced to [-pi, pi] in the kernel: accurate at large positions, where tf.cos/tf.sin on a GPU are not.
 * Other backends: ropeTables + the reference. Differentiable in x.
 */
export function fusedRopeAt(x: tf.Tensor4D, positions: tf.Tensor2D, theta: number): tf.Tensor4D {
  if (x.rank !== 4) throw new FusedOpError('fusedRopeAt', `x must be [B,heads,T,D], got [${x.shape}]`);
  const [b, , t, d] = x.shape;
  if (d % 2 !== 0) throw new FusedOpError('fusedRopeAt', `head dim ${d} must be even`);
  if (positions.rank !== 2 || positions.shape[0] !== b || positions.shape[1] !== t) {
    throw new FusedOpError('fusedRopeAt', `positions must be [${b},${t}], got [${positions.shape}]`);
  }
  if (positions.dtype !== 'int32')
    throw new FusedOpError('fusedRopeAt', `positions must be int32, got ${positions.dtype}`);
  if (x.dtype !== 'float32') throw new FusedOpError('fusedRopeAt', `x must be float32, got ${x.dtype}`);
  if (!(theta > 0)) throw new FusedOpError('fusedRopeAt', `theta must be > 0, got ${theta}`);
  // rotate by +angle (forward) or -angle (the transpose, i.e. the gradient) in the kernel
  const kernel = (t: tf.Tensor4D, pos: tf.Tensor2D, sign: 1 | -1) =>
    tf.tidy(() => {
      const inv = tf.tensor1d(inverseFrequencies(d, theta));
      return runProgram<tf.Rank.R4>(ropeAtProgram(t.shape), [t, pos, inv], 'float32', [
        { type: 'float32', data: [sign] },
      ]);
    });
  const op = withGrad(
    ([xi]) =>
      onWebGpu() ? kernel(xi as tf.Tensor4D, positions, 1) : ropeAtReference(xi as tf.Tensor4D, positions, theta),
    (dy, saved) => {
      const pos = saved[1] as tf.Tensor2D;
      // dx = dy cos + rotate_half^T(dy sin) = rope of dy at -angle (cos/sin tables repeat over the two halves)
      if (onWebGpu()) return [kernel(dy as tf.Tensor4D, pos, -1)];
      const { cos, sin } = ropeTables(pos, d, theta);
      return [tf.add(tf.mul(dy, cos), rotateHalfT(tf.mul(dy, sin)))];
    },
    [positions],
  );
  return op(x) as tf.Tensor4D;
}
