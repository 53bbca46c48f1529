import * as tf from '@tensorflow/tfjs-core';
import { FusedOpError, flatProgram, onWebGpu, runProgram, withGrad } from './webgpu-program.js';

/** Unfused reference: gate * sigmoid(gate) * up (as in @magic/lm's mlp). */
export function swiGluReference<T extends tf.Tensor>(gate: T, up: T): T {
  return tf.tidy(() => tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as T);
}

const WG = 64;

function swiGluProgram(shape: number[]) {
  const size = shape.reduce((a, b) => a * b, 1);
  return flatProgram(
    {
      variableNames: ['gate', 'up'],
      outputShape: shape,
      shaderKey: 'magicSwiGlu',
      size: true,
      getUserCode: () => `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      let g = gate[index];
      result[index] = g / (1.0 + exp(-g)) * up[index];
    }`,
    },
    Math.ceil(size / WG),
    WG,
  );
}

/** Backward, elementwise: d gate = dy·up·(σ + silu·(1 − σ)) (`wrt` 'gate') or d up = dy·silu (`wrt` 'up'). */
function swiGluGradProgram(shape: number[], wrt: 'gate' | 'up') {
  const size = shape.reduce((a, b) => a * b, 1);
  return flatProgram(
    {
      // unused bindings are stripped by the WGSL compiler: the 'up' gradient does not read `up`
      variableNames: wrt === 'gate' ? ['gate', 'up', 'dy'] : ['gate', 'dy'],
      outputShape: shape,
      shaderKey: `magicSwiGluGrad_${wrt}`,
      size: true,
      getUserCode: () => `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      let g = gate[index];
      let sig = 1.0 / (1.0 + exp(-g));
      let silu = g * sig;
      ${
        wrt === 'gate'
          ? 'result[index] = dy[index] * up[index] * (sig + silu * (1.0 - sig));'
          : 'result[index] = dy[index] * silu;'
      }
    }`,
    },
    Math.ceil(size / WG),
    WG,
  );
}

/**
 * SwiGLU activation gate * sigmoid(gate) * up (same shapes, float32).
 * WebGPU: one elementwise dispatch (backward: two). Other backends: the reference. Differentiable in gate and up.
 */
export function fusedSwiGlu<T extends tf.Tensor>(gate: T, up: T): T {
  if (gate.shape.length !== up.shape.length || gate.shape.some((s, i) => s !== up.shape[i])) {
    throw new FusedOpError('fusedSwiGlu', `gate [${gate.shape}] and up [${up.shape}] must have the same shape`);
  }
  if (gate.dtype !== 'float32' || up.dtype !== 'float32') {
    throw new FusedOpError('fusedSwiGlu', `expected float32 inputs, got ${gate.dtype}/${up.dtype}`);
  }
  const op = withGrad(
    ([g, u]) => (onWebGpu() ? runProgram(swiGluProgram(g!.shape), [g!, u!], 'float32') : swiGluReference(g!, u!)),
    (dy, saved) => {
      const [gs, us] = saved as [tf.Tensor, tf.Tensor];
      if (onWebGpu()) {
        return [
          runProgram(swiGluGradProgram(gs.shape, 'gate'), [gs, us, dy], 'float32'),
          runProgram(swiGluGradProgram(gs.shape, 'up'), [gs, dy], 'float32'),
        ];
      }
      const sig = tf.sigmoid(gs);
      const silu = tf.mul(gs, sig);
      // d silu/dg = sig + g sig (1 - sig) = sig + silu (1 - sig)
      const dsilu = tf.add(sig, tf.mul(silu, tf.sub(1, sig)));
      return [tf.mul(tf.mul(dy, us), dsilu), tf.mul(dy, silu)];
    },
  );
  return op(gate, up) as T;
}
