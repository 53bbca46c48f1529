// Times one GrpoUpdater.update() on B sequences × T tokens of a toy policy (BigramPolicy with a
// factored (V, D)·(D, V) logit table, a stand-in for any Policy). Prints one JSON line.
// Needs the built gradient entry: `(cd packages/grpo && npx tsup)` first.
// Usage: npx tsx bench/grpo-update.ts [--backend cpu|wasm] [--batch 64] [--seq 256] [--vocab 1024]
//        [--hidden 64] [--micro 16] [--runs 3] [--warmup 1] [--policy ./my-policy.ts]
// --policy: a module exporting `createPolicy(): Policy | Promise<Policy>` (token ids are drawn below --vocab).

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { at } from '@magic/core';
import { BigramPolicy, type GrpoBatch, GrpoUpdater, mulberry32, type Policy } from '@magic/grpo';
import * as tf from '@tensorflow/tfjs-core';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu' },
    batch: { type: 'string', default: '64' },
    seq: { type: 'string', default: '256' },
    vocab: { type: 'string', default: '1024' },
    hidden: { type: 'string', default: '64' },
    micro: { type: 'string', default: '16' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    policy: { type: 'string' },
  },
});
const batchSize = Number(values.batch);
const seq = Number(values.seq);
const vocab = Number(values.vocab);
const hidden = Number(values.hidden);
const micro = Number(values.micro);
const runs = Number(values.runs);
const warmup = Number(values.warmup);

// Resolved at run time from the built package (a string specifier keeps tsc off the unbuilt dist).
const registerGradients: string = '@magic/grpo/register-gradients';

async function initBackend(name: string): Promise<void> {
  await import(registerGradients);
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to start`);
}

function randomBatch(): GrpoBatch {
  const rng = mulberry32(7);
  const prompt = seq / 2;
  const inputIds = Array.from({ length: batchSize }, () =>
    Array.from({ length: seq }, () => Math.floor(rng() * vocab)),
  );
  return {
    inputIds,
    attentionMask: inputIds.map((r) => r.map(() => 1)),
    responseMask: inputIds.map((r) => r.map((_, t) => (t >= prompt ? 1 : 0))),
    uids: inputIds.map((_, i) => `seed${i >> 2}`),
    rewards: inputIds.map(() => rng()),
  };
}

async function makePolicy(): Promise<Policy> {
  if (!values.policy) return new BigramPolicy({ vocabSize: vocab, hiddenSize: hidden, seed: 1 });
  const mod = (await import(pathToFileURL(resolve(values.policy)).href)) as {
    createPolicy(): Policy | Promise<Policy>;
  };
  return mod.createPolicy();
}

async function main(): Promise<void> {
  await initBackend(values.backend);
  const policy = await makePolicy();
  const updater = new GrpoUpdater(policy, { lr: 1e-3, ppoMicroBatchSize: micro });
  const batch = randomBatch();
  const times: number[] = [];
  for (let i = 0; i < warmup; i++) await updater.update(batch); // warm-up (also creates the AdamW state)
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await updater.update(batch); // includes recomputing old log-probs (one extra forward)
    times.push((performance.now() - t0) / 1000);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      workload: 'grpo-update',
      backend: tf.getBackend(),
      shapes: { batch: batchSize, seq, microBatch: micro },
      policy: values.policy
        ? { kind: values.policy, vocab, params: policy.trainableVariables.reduce((a, v) => a + v.size, 0) }
        : { kind: 'bigram-factored', vocab, hidden, params: vocab * hidden * 2 },
      medianSeconds: sorted[Math.floor(sorted.length / 2)],
      tokensPerSecond: (batchSize * seq) / at(sorted, Math.floor(sorted.length / 2), 'median time'),
      runs: times,
      numTensors: tf.memory().numTensors,
    }),
  );
  updater.dispose();
  tf.dispose(policy.trainableVariables);
}

await main();
