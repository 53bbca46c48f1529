import { at, defined } from '@magic/core';
import { initBackend, releaseWebGpu } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';

afterAll(() => releaseWebGpu());

const IDS = [
  [0, 0, 5, 6, 7, 8, 9, 10],
  [11, 12, 13, 14, 15, 16, 17, 18],
  [0, 19, 20, 21, 22, 23, 24, 25],
];
const MASK = IDS.map((row, i) => row.map((_, j) => (j >= at([2, 0, 1], i, '[2, 0, 1]') ? 1 : 0)));

/** Sum of the batch's token log-probs and its gradients for layer 0's q and v weights, read back. */
async function lossAndGrads(lm: CausalLM): Promise<number[][]> {
  const outs = tf.tidy(() => {
    const ids = tf.tensor2d(IDS, undefined, 'int32');
    const mask = tf.tensor2d(MASK, undefined, 'int32');
    const layer = at(lm.weights.layers, 0, 'lm.weights.layers');
    const vars = [layer.qWeight, layer.vWeight];
    const { value, grads } = tf.variableGrads(() => tf.sum(lm.tokenLogProbs(ids, mask).logProbs) as tf.Scalar, vars);
    return [value, ...vars.map((v) => defined(grads[v.name], 'grads'))];
  });
  const data = await Promise.all(outs.map(async (t) => Array.from(await t.data())));
  tf.dispose(outs);
  return data;
}

// Attention over several positions runs in batch chunks when one score tensor would exceed the device's largest
// storage binding (the software adapter's 128 MiB): the same values and gradients as in one piece.
describe('attention in batch chunks', () => {
  it.each(['cpu', 'webgpu'] as const)('gives the unchunked values and gradients (%s)', async (device) => {
    await initBackend({ device, allowSoftwareAdapter: true });
    const lm = await CausalLM.fromPreset('tiny', { seed: 9 });
    try {
      const whole = await lossAndGrads(lm);
      // one batch row's scores: heads x 8 queries x 8 keys x 4 bytes; 1.5 rows forces chunks of one row
      const rowBytes = lm.config.numAttentionHeads * 8 * 8 * 4;
      await initBackend({ device, allowSoftwareAdapter: true, maxBindingBytes: rowBytes * 1.5 });
      const chunked = await lossAndGrads(lm);
      expect(at(chunked, 0, 'chunked')[0]).toBeCloseTo(at(at(whole, 0, 'whole'), 0, 'whole[0]'), 4);
      for (const [i, g] of chunked.entries()) {
        const err = Math.max(...g.map((x, j) => Math.abs(x - at(at(whole, i, 'whole'), j, 'whole[i]'))));
        expect(err, `output ${i}`).toBeLessThan(1e-5);
      }
    } finally {
      await initBackend({ device, allowSoftwareAdapter: true });
      lm.dispose();
    }
  });
});
