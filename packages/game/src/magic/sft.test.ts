import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';

import { beforeAll, expect, it } from 'vitest';
import { SftSectionSchema } from '../config/schema.js';
import { runSft } from './sft.js';

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
    const m = micro.weights[i]!;
    for (let j = 0; j < w.length; j++) maxDiff = Math.max(maxDiff, Math.abs(w[j]! - m[j]!));
  });
  expect(maxDiff).toBeLessThan(1e-5);
});
