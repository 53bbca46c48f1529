import { join } from 'node:path';
import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';
import { SftTrainer } from './sft.js';

it('loading, training state and dispose leave no tensors behind', async () => {
  await initBackend({ device: 'cpu' });
  const before = tf.memory().numTensors;
  const lm = await CausalLM.fromPretrained(join(import.meta.dirname, '..', 'fixtures', 'reference', 'tiny-tied'));
  const fresh = await CausalLM.fromPreset('tiny', { seed: 1 });
  expect(tf.memory().numTensors - before).toBe(lm.trainableVariables.length + fresh.trainableVariables.length);
  const trainer = new SftTrainer(fresh, { totalSteps: 1 });
  expect(tf.memory().numTensors - before).toBe(lm.trainableVariables.length + 3 * fresh.trainableVariables.length);
  trainer.dispose();
  fresh.dispose();
  lm.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
