import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { FusedOpError, flatProgram, onWebGpu, runProgram, withGrad } from './webgpu-program.js';

/** rotate_half(x) = concat(-x2, x1) over the last axis. */
function rotateHalf(x: tf.Tensor): tf.Tensor {
  const d = at(x.shape, x.rank - 1, 'x shape');
  const begin = x.shape.map(() => 0);
  const size = x.shape.map(() => -1);
  const x1 = tf.slice(x, begin, [...size.slice(0, -1), d / 2]);
  const x2 = tf.slice(x, [...begin.slice(0, -1), d / 2], [...size.slice(0, -1), d / 2]);
  return tf.concat([tf.neg(x2), x1], -1);
}

/** Transpose of rotate_half: concat(z2, -z1). */
export function rotateHalfT(z: tf.Tensor): tf.Tensor {
  const d = at(z.shape, z.rank - 1, 'z shape');
  const begin = z.shape.map(() => 0);
  const size = z.shape.map(() => -1);
  const z1 = tf.slice(z, begin, [...size.slice(0, -1), d / 2]);
  const z2 = tf.slice(z, [...begin.slice(0, -1), d / 2], [...size.slice(0, -1), d / 2]);
  return tf.concat([z2, tf.neg(z1)], -1);
}

/** Unfused reference: x * cos + rotate_half(x) * sin (as in @magic/lm's applyRope). */
export function ropeReference(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(x, cos), tf.mul(rotateHalf(x), sin)) as tf.Tensor4D);
}

const WG = 64;

/**
 * WGSL for element `index` of x [B,heads,T,D] (flat): its batch `b`, time `ti`, column `col` (with `t`, `d`,
 * `half`) and `rot` = rotate_half(x) at that element. Shared by the rope kernels.
 */
export const ROPE_ELEMENT_WGSL = `
      let heads = uniforms.xShape[1];
      let t = uniforms.xShape[2];
      let d = uniforms.xShape[3];
      let half = d / 2;
      let col = index % d;
      let rowIdx = index / d;          // (b * heads + h) * t + ti
      let ti = rowIdx % t;
      let b = rowIdx / (heads * t);
      var rot : f32;
      if (col < half) { rot = -x[index + half]; } else { rot = x[index - half]; }`;

function ropeProgram(shape: number[]) {
  const size = shape.reduce((a, b) => a * b, 1);
  return flatProgram(
    {
      variableNames: ['x', 'cosT', 'sinT'],
      outputShape: shape,
      shaderKey: 'magicRope',
      size: true,
      getUserCode: () => `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      ${ROPE_ELEMENT_WGSL}
      let tab = (b * t + ti) * d + col;
      result[index] = x[index] * cosT[tab] + rot * sinT[tab];
    }`,
    },
    Math.ceil(size / WG),
    WG,
  );
}

function check(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): void {
  if (x.rank !== 4) throw new FusedOpError('fusedRope', `x must be [B,heads,T,D], got [${x.shape}]`);
  const [b, , t, d] = x.shape as [number, number, number, number];
  if (d % 2 !== 0) throw new FusedOpError('fusedRope', `head dim ${d} must be even`);
  for (const [name, tab] of [
    ['cos', cos],
    ['sin', sin],
  ] as const) {
    const want = [b, 1, t, d];
    if (tab.rank !== 4 || tab.shape.some((s, i) => s !== want[i])) {
      throw new FusedOpError('fusedRope', `${name} must be [${want}], got [${tab.shape}]`);
    }
    if (tab.dtype !== 'float32') throw new FusedOpError('fusedRope', `${name} must be float32`);
  }
  if (x.dtype !== 'float32') throw new FusedOpError('fusedRope', `x must be float32, got ${x.dtype}`);
}

/**
 * Rotary embedding x * cos + rotate_half(x) * sin, x [B,heads,T,D], cos/sin [B,1,T,D].
 * WebGPU: one elementwise dispatch. Other backends: the reference. Differentiable in x, cos and sin.
 */
export function fusedRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  check(x, cos, sin);
  const op = withGrad(
    ([xi, ci, si]) => {
      const [x4, c4, s4] = [xi as tf.Tensor4D, ci as tf.Tensor4D, si as tf.Tensor4D];
      return onWebGpu()
        ? runProgram<tf.Rank.R4>(ropeProgram(x4.shape), [x4, c4, s4], 'float32')
        : ropeReference(x4, c4, s4);
    },
    (dy, saved) => {
      const [xs, cs, ss] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const dx = tf.add(tf.mul(dy, cs), rotateHalfT(tf.mul(dy, ss)));
      const dcos = tf.sum(tf.mul(dy, xs), 1, true);
      const dsin = tf.sum(tf.mul(dy, rotateHalf(xs)), 1, true);
      return [dx, dcos, dsin];
    },
  );
  return op(x, cos, sin) as tf.Tensor4D;
}
