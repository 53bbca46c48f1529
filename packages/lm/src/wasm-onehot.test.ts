import { at } from '@magic/core';
import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';

// Regression: tfjs-wasm's OneHot ignores dtype 'float32' (writes integer bit patterns), which made
// tokenLogProbs on wasm return -logsumexp instead of the target's log-prob.
it('tokenLogProbs on wasm equals cpu (float one-hot regression)', async () => {
  const values: number[][] = [];
  for (const device of ['cpu', 'wasm'] as const) {
    await initBackend({ device });
    const lm = await CausalLM.fromPreset('tiny', { seed: 1 });
    const ids = tf.tensor2d([[1, 5, 9, 20, 33]], [1, 5], 'int32') as tf.Tensor2D;
    const mask = tf.ones([1, 5], 'int32') as tf.Tensor2D;
    const { logProbs } = lm.tokenLogProbs(ids, mask);
    values.push(Array.from(await logProbs.data()));
    tf.dispose([ids, mask, logProbs]);
    lm.dispose();
  }
  const [cpu, wasm] = values as [number[], number[]];
  expect(new Set(cpu.slice(1).map((v) => v.toFixed(3))).size).toBeGreaterThan(1);
  for (const [i, v] of cpu.entries()) expect(Math.abs(v - at(wasm, i, 'wasm'))).toBeLessThan(1e-4);
});
