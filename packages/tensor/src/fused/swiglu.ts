import { at, defined } from '@magic/core';
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
    ([gi, ui]) => {
      const g = defined(gi, 'swiGlu gate');
      const u = defined(ui, 'swiGlu up');
      return onWebGpu() ? runProgram(swiGluProgram(g.shape), [g, u], 'float32') : swiGluReference(g, u);
    },
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

/** Reference of packedSwiGlu: silu(gateUp[..., :I]) * gateUp[..., I:], I = last dim / 2. */
export function packedSwiGluReference<T extends tf.Tensor>(gateUp: T): T {
  return tf.tidy(() => {
    const [gate, up] = tf.split(gateUp, 2, -1);
    return swiGluReference(defined(gate, 'gate half'), defined(up, 'up half')) as T;
  });
}

function packedSwiGluProgram(rows: number, inter: number) {
  const size = rows * inter;
  return flatProgram(
    {
      variableNames: ['gu'],
      outputShape: [rows, inter],
      shaderKey: 'magicPackedSwiGlu',
      size: true,
      getUserCode: () => `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      let inter = uniforms.outShape[1];
      let row = index / inter;
      let at = index + row * inter; // row * 2I + column
      let g = gu[at];
      result[index] = g / (1.0 + exp(-g)) * gu[at + inter];
    }`,
    },
    Math.ceil(size / WG),
    WG,
  );
}

/** Backward of packedSwiGlu, one dispatch: d gateUp [rows, 2I] (gate half, then up half) from gateUp and dy. */
function packedSwiGluGradProgram(rows: number, inter: number) {
  const size = rows * 2 * inter;
  return flatProgram(
    {
      variableNames: ['gu', 'dy'],
      outputShape: [rows, 2 * inter],
      shaderKey: 'magicPackedSwiGluGrad',
      size: true,
      getUserCode: () => `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      let inter = uniforms.outShape[1] / 2;
      let row = index / (2 * inter);
      let col = index - row * 2 * inter;
      let c = select(col - inter, col, col < inter);
      let g = gu[row * 2 * inter + c];
      let d = dy[row * inter + c];
      let sig = 1.0 / (1.0 + exp(-g));
      let silu = g * sig;
      if (col < inter) {
        result[index] = d * gu[row * 2 * inter + c + inter] * (sig + silu * (1.0 - sig));
      } else {
        result[index] = d * silu;
      }
    }`,
    },
    Math.ceil(size / WG),
    WG,
  );
}

/**
 * SwiGLU of a packed gate/up projection [..., 2I] (gate columns first, as one matmul of the concatenated
 * weights computes them) -> [..., I]. WebGPU: one dispatch reading both halves in place (backward: one dispatch
 * writing both halves); elsewhere the reference. Differentiable.
 */
export function packedSwiGlu<T extends tf.Tensor>(gateUp: T): T {
  const last = gateUp.shape[gateUp.rank - 1];
  if (gateUp.rank < 1 || last === undefined || last % 2 !== 0) {
    throw new FusedOpError('packedSwiGlu', `last dimension must be even (gate | up), got [${gateUp.shape}]`);
  }
  if (gateUp.dtype !== 'float32') throw new FusedOpError('packedSwiGlu', `expected float32, got ${gateUp.dtype}`);
  if (!onWebGpu()) return packedSwiGluReference(gateUp);
  const inter = last / 2;
  const rows = gateUp.size / last;
  const op = withGrad(
    ([gu]) => runProgram(packedSwiGluProgram(rows, inter), [defined(gu, 'packed gate|up')], 'float32'),
    (dy, saved) => [runProgram(packedSwiGluGradProgram(rows, inter), [at(saved, 0, 'saved gate|up'), dy], 'float32')],
  );
  return tf.tidy(() => {
    const y = op(tf.reshape(gateUp, [rows, last]));
    return tf.reshape(y, [...gateUp.shape.slice(0, -1), inter]) as T;
  });
}
