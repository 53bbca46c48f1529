import * as tf from '@tensorflow/tfjs-core';
import { FusedOpError, flatProgram, onWebGpu, runInPlace } from './webgpu-program.js';

/** Unfused reference: g[v] = Σ_{i: ids[i] = v} dy[i] (tfjs' gather gradient, UnsortedSegmentSum). */
export function embeddingGradientReference(dy: tf.Tensor2D, ids: tf.Tensor1D, vocab: number): tf.Tensor2D {
  return tf.unsortedSegmentSum(dy, ids, vocab);
}

const WG = 64;

/**
 * One invocation per dy element: result[ids[i], c] += dy[i, c] with a float add through compare-exchange on the
 * bits (WGSL has no float atomics). Rows sharing an id (padding, repeated tokens) contend on the same words; the
 * summation order, and so the last bits, can differ between runs.
 */
function scatterAddProgram(vocab: number, n: number, h: number) {
  return flatProgram(
    {
      variableNames: ['dy', 'ids'],
      outputShape: [vocab, h],
      shaderKey: 'magicEmbeddingGrad',
      atomic: true,
      getUserCode: () => `
    fn main(index : i32) {
      let h = uniforms.dyShape[1];
      if (index >= uniforms.dyShape[0] * h) { return; }
      let row = index / h;
      let id = ids[row];
      if (id < 0 || id >= uniforms.outShape[0]) { return; }
      let v = dy[index];
      let at = id * h + (index - row * h);
      var old = atomicLoad(&result[at]);
      loop {
        let next = bitcast<i32>(bitcast<f32>(old) + v);
        let r = atomicCompareExchangeWeak(&result[at], old, next);
        if (r.exchanged) { break; }
        old = r.old_value;
      }
    }`,
    },
    Math.ceil((n * h) / WG),
    WG,
  );
}

/**
 * The embedding table's gradient [vocab, H] from the lookup's output gradient dy [N, H] and the looked-up ids [N]
 * (int32, in [0, vocab)): WebGPU writes one zero-filled [vocab, H] buffer and scatter-adds into it (two dispatches;
 * tfjs' UnsortedSegmentSum transposes in and out, and a one-hot matmul needs vocab x N temporaries). Other
 * backends: the reference. Ids outside [0, vocab) add nothing, as in the reference.
 */
export function embeddingGradient(dy: tf.Tensor2D, ids: tf.Tensor1D, vocab: number): tf.Tensor2D {
  if (dy.rank !== 2 || ids.rank !== 1 || ids.shape[0] !== dy.shape[0]) {
    throw new FusedOpError('embeddingGradient', `dy [${dy.shape}] and ids [${ids.shape}] must be [N, H] and [N]`);
  }
  if (dy.dtype !== 'float32' || ids.dtype !== 'int32') {
    throw new FusedOpError('embeddingGradient', `expected float32 dy and int32 ids, got ${dy.dtype}/${ids.dtype}`);
  }
  if (!(Number.isInteger(vocab) && vocab > 0)) {
    throw new FusedOpError('embeddingGradient', `vocab must be a positive integer, got ${vocab}`);
  }
  if (!onWebGpu()) return embeddingGradientReference(dy, ids, vocab);
  const [n, h] = dy.shape;
  const out = tf.zeros([vocab, h]) as tf.Tensor2D;
  if (n === 0) return out;
  // a fresh zeros tensor owns its buffer, so the in-place write cannot touch another tensor
  if (!runInPlace(scatterAddProgram(vocab, n, h), [dy, ids], out)) {
    out.dispose();
    return embeddingGradientReference(dy, ids, vocab);
  }
  return out;
}
