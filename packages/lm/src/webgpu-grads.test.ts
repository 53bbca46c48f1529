import { at, defined } from '@magic/core';
import { initBackend, releaseWebGpu } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';
import { paddedBatch } from './test-batch.js';

afterAll(() => releaseWebGpu());

/** Gradients of a masked log-prob sum over every trainable variable, computed on `device` (same seed, same weights). */
async function gradsOn(
  device: 'cpu' | 'webgpu',
  checkpoint = false,
): Promise<{ shape: number[]; grad: Float32Array }[]> {
  await initBackend({ device, allowSoftwareAdapter: true });
  const lm = await CausalLM.fromPreset('tiny', { seed: 7 });
  try {
    // left padding in row 1 and a token id repeated many times (the embedding gradient's scatter-add contends)
    const { ids, mask } = paddedBatch;
    return await expectNoLeaks(async () => {
      const inputIds = tf.tensor2d(ids, undefined, 'int32');
      const attentionMask = tf.tensor2d(mask, undefined, 'int32');
      const vars = lm.trainableVariables;
      const { grads, value } = tf.variableGrads(() => {
        const { logProbs } = lm.tokenLogProbs(inputIds, attentionMask, { chunkRows: 5, checkpoint }); // 14 rows: three chunks
        return tf.sum(tf.mul(logProbs, tf.cast(attentionMask, 'float32'))) as tf.Scalar;
      }, vars);
      // in trainableVariables order (variable names are numbered per process)
      const out: { shape: number[]; grad: Float32Array }[] = [];
      for (const v of vars)
        out.push({ shape: v.shape, grad: (await defined(grads[v.name], 'grads').data()) as Float32Array });
      tf.dispose([inputIds, attentionMask, value, ...Object.values(grads)]);
      return out;
    });
  } finally {
    lm.dispose();
  }
}

// The training path on WebGPU (software adapter): fused RMSNorm/RoPE/SwiGLU backward, log-prob gather and the
// scatter-add embedding gradient give the same gradients as the cpu backend's unfused ops.
it.each([false, true])(
  'gradients of every variable on WebGPU match the cpu backend (checkpoint %s)',
  async (checkpoint) => {
    const ref = await gradsOn('cpu');
    const got = await gradsOn('webgpu', checkpoint);
    expect(got.map((g) => g.shape)).toEqual(ref.map((r) => r.shape));
    for (const [k, { shape, grad: r }] of ref.entries()) {
      const g = at(got, k, 'got').grad;
      const name = `variable ${k} [${shape}]`;
      let worst = 0;
      let scale = 1e-3;
      for (let i = 0; i < r.length; i++) {
        worst = Math.max(worst, Math.abs(at(g, i, 'g') - at(r, i, 'r')));
        scale = Math.max(scale, Math.abs(at(r, i, 'r')));
      }
      expect(worst / scale, `${name}: max abs error ${worst} (largest |grad| ${scale})`).toBeLessThan(1e-3);
    }
  },
  120_000,
);
