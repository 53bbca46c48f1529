import * as tf from '@tensorflow/tfjs-core';
import { FusedOpError, flatProgram, i32Uniform as int, onWebGpu, runProgram, treeReduce } from './webgpu-program.js';

/** Unfused reference: Σ x² as a scalar. */
export function sumOfSquaresReference(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.square(x)));
}

const WG = 256;
/** Most partial sums of the first pass (one per workgroup). */
const MAX_GROUPS = 1024;

/**
 * Pass 1: `groups` workgroups stride over x, each reducing to one partial sum (of squares when `square`) in
 * shared memory. Pass 2 is the same program over the partials with one workgroup.
 */
function partialSumProgram(groups: number, square: boolean) {
  return flatProgram(
    {
      variableNames: ['x'],
      outputShape: [groups],
      shaderKey: `magicSumOfSquares_${square ? 'sq' : 'sum'}`,
      // n and the stride (groups x WG) travel as uniforms: the shader is cached by shaderKey, not by size
      uniforms: 'n : i32, stride : i32, ',
      getUserCode: () => `
    var<workgroup> buf : array<f32, ${WG}>;
    fn main(index : i32) {
      let group = index / ${WG};
      let tid = index - group * ${WG};
      var acc = 0.0;
      for (var i = index; i < uniforms.n; i += uniforms.stride) {
        let v = x[i];
        acc += ${square ? 'v * v' : 'v'};
      }
      buf[tid] = acc;
      ${treeReduce('buf', WG, 'sum')}
      if (tid == 0) { result[group] = buf[0]; }
    }`,
    },
    groups,
    WG,
  );
}

/**
 * Σ x² over every element of x (float32) as a scalar: on WebGPU two dispatches (up to 1024 workgroups of strided
 * partial sums, then one workgroup over the partials) instead of tfjs' square + sum (its reduction to one value
 * runs in one workgroup). Elsewhere the reference.
 */
export function sumOfSquares(x: tf.Tensor): tf.Scalar {
  if (x.dtype !== 'float32') throw new FusedOpError('sumOfSquares', `expected float32, got ${x.dtype}`);
  if (!onWebGpu() || x.size === 0) return sumOfSquaresReference(x);
  return tf.tidy(() => {
    const n = x.size;
    const groups = Math.min(MAX_GROUPS, Math.ceil(n / (WG * 16)));
    const flat = tf.reshape(x, [n]);
    const partial = runProgram(partialSumProgram(groups, true), [flat], 'float32', [int(n), int(groups * WG)]);
    const total = runProgram(partialSumProgram(1, false), [partial], 'float32', [int(groups), int(WG)]);
    return tf.reshape(total, []) as tf.Scalar;
  });
}
