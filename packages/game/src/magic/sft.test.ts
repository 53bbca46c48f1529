import { at } from '@magic/core';
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';
import * as tf from '@tensorflow/tfjs-core';

import { beforeAll, expect, it } from 'vitest';
import { SftSectionSchema } from '../config/schema.js';
import { SeededRng } from '../trainer/rng.js';
import { addMany } from './add-many.js';
import { lrFactor, runSft, SFT_PAD_MULTIPLE, tokenizeSftExample } from './sft.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

const chats = Array.from({ length: 6 }, (_, i) => [
  { role: 'user' as const, content: `placeholder question number ${i} ${'word '.repeat(i * 3)}` },
  { role: 'assistant' as const, content: `placeholder answer ${i}` },
]);

async function train(microBatchSize: number | undefined) {
  const lm = await CausalLM.fromPreset('tiny', { seed: 9 });
  const cfg = SftSectionSchema.parse({
    epochs: 1,
    batchSize: 3,
    lr: 1e-3,
    warmupRatio: 0,
    maxLength: 256,
    microBatchSize,
  });
  const result = await expectNoLeaks(() => runSft(lm, chats, cfg, { seed: 4 }));
  const weights = await Promise.all(lm.trainableVariables.map((v) => v.data()));
  lm.dispose();
  return { result, weights };
}

it('micro-batches (gradient accumulation, padded widths) give the same losses and weights as whole batches', async () => {
  const whole = await train(undefined);
  const micro = await train(1);
  expect(micro.result.steps).toBe(2);
  expect(micro.result.firstLoss).toBeCloseTo(whole.result.firstLoss, 5);
  expect(micro.result.lastLoss).toBeCloseTo(whole.result.lastLoss, 5);
  let maxDiff = 0;
  whole.weights.forEach((w, i) => {
    const m = at(micro.weights, i, 'micro.weights');
    for (let j = 0; j < w.length; j++) maxDiff = Math.max(maxDiff, Math.abs(at(w, j, 'w') - at(m, j, 'm')));
  });
  expect(maxDiff).toBeLessThan(1e-5);
});

it("phase 1's defaults (adamFormula 'tfjs-adam', weightDecay 0, adamEpsilon 1e-7) train as the tf.train.adam loop did, bit for bit", async () => {
  const few = chats.slice(0, 3);
  const cfg = SftSectionSchema.parse({ epochs: 3, batchSize: 3, lr: 1e-2, warmupRatio: 0.4, maxLength: 256 });
  const lm = await CausalLM.fromPreset('tiny', { seed: 11 });
  const result = await runSft(lm, few, cfg, { seed: 4 });
  const got = await Promise.all(lm.trainableVariables.map((v) => v.data()));
  lm.dispose();

  // the loop phase 1 had before it ran on SftTrainer (c5ee458's runSft/sftStep): the same seeded order of rows,
  // tf.train.adam with its learning rate set through a cast, the clip coefficient computed in float32 on the device
  const ref = await CausalLM.fromPreset('tiny', { seed: 11 });
  const rng = new SeededRng(4);
  const examples = few.map((c) => tokenizeSftExample(ref, c, cfg.maxLength));
  const adam = tf.train.adam(cfg.lr);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const batch = rng.shuffle(examples);
    const width = Math.ceil(Math.max(...batch.map((e) => e.inputIds.length)) / SFT_PAD_MULTIPLE) * SFT_PAD_MULTIPLE;
    const pad = (row: number[], v: number) => [...row, ...new Array<number>(width - row.length).fill(v)];
    const ids = batch.map((e) => pad(e.inputIds, ref.tokenizer.padTokenId));
    const mask = batch.map((e) =>
      pad(
        e.inputIds.map(() => 1),
        0,
      ),
    );
    const labels = batch.map((e) => pad(e.labelMask, 0));
    const count = labels.flat().reduce((a, b) => a + b, 0);
    (adam as unknown as { learningRate: number }).learningRate = cfg.lr * lrFactor(step, 3, cfg);
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() => {
          const { logProbs } = ref.tokenLogProbs(
            tf.tensor2d(ids, undefined, 'int32'),
            tf.tensor2d(mask, undefined, 'int32'),
          );
          return tf.neg(tf.div(tf.sum(tf.mul(logProbs, tf.tensor2d(labels))), count)) as tf.Scalar;
        }),
      ref.trainableVariables,
    );
    tf.tidy(() => {
      const norm = tf.sqrt(addMany(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
      const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(1), tf.add(norm, 1e-6)));
      adam.applyGradients(Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)])));
    });
    losses.push(at(value.dataSync(), 0, 'value.dataSync()'));
    tf.dispose([value, ...Object.values(grads)]);
  }
  const want = await Promise.all(ref.trainableVariables.map((v) => v.data()));
  adam.dispose();
  ref.dispose();
  expect(result.steps).toBe(3);
  expect(result.firstLoss).toBe(at(losses, 0, 'losses'));
  expect(result.lastLoss).toBe(at(losses, 2, 'losses'));
  const bits = (xs: ArrayLike<number>[]) => xs.map((x) => new Uint32Array(Float32Array.from(x).buffer));
  expect(bits(got)).toEqual(bits(want));
  const init = await CausalLM.fromPreset('tiny', { seed: 11 });
  const start = await Promise.all(init.trainableVariables.map((v) => v.data()));
  init.dispose();
  expect(bits(got)).not.toEqual(bits(start)); // it trained
}, 300_000);
