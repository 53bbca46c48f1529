import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

describe('hiddenStates', () => {
  it('gives the rows the LM head turns into logits, and gradients flow into the backbone', async () => {
    const lm = await CausalLM.fromPreset('tiny', { seed: 2 });
    const ids = tf.tensor2d(
      [
        [5, 9, 33, 7],
        [12, 40, 0, 0],
      ],
      undefined,
      'int32',
    );
    const mask = tf.tensor2d(
      [
        [1, 1, 1, 1],
        [1, 1, 0, 0],
      ],
      undefined,
      'int32',
    );
    const hidden = lm.hiddenStates(ids, mask);
    expect(hidden.shape).toEqual([2, 4, lm.config.hiddenSize]);
    const head = lm.weights.lmHead ?? lm.weights.embed;
    const viaHidden = tf.einsum('bth,vh->btv', hidden, head);
    const logits = lm.logits(ids, mask);
    const diff = tf.max(tf.abs(tf.sub(viaHidden, logits)));
    expect((await diff.data())[0]).toBeLessThan(1e-4);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(lm.hiddenStates(ids, mask)) as tf.Scalar,
      lm.trainableVariables,
    );
    const norm = tf.addN(Object.values(grads).map((g) => tf.sum(tf.abs(g))));
    expect((await norm.data())[0]).toBeGreaterThan(0);
    tf.dispose([ids, mask, hidden, viaHidden, logits, diff, value, norm, ...Object.values(grads)]);
    lm.dispose();
  });
});
