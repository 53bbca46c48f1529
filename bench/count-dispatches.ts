// Compute dispatches per GRPO micro-batch (forward + backward + grad clip + AdamW) and per decode step for the
// Qwen2.5-0.5B layer structure (24 layers, 14/2 heads) at toy widths, so it runs anywhere (cpu, wasm, software
// WebGPU): dispatch counts do not depend on the widths. Multiply by a measured per-dispatch host cost to bound a
// dispatch-bound workload. One JSON line.   npx tsx bench/count-dispatches.ts [--device webgpu]
import { parseArgs } from 'node:util';
import { causalLmPolicy } from '@magic/game';
import { GrpoUpdater } from '@magic/grpo';
import { initBackend, initBackendOptionsFromEnv, releaseWebGpu } from '@magic/tensor';
import { adamwStep, axpyInPlace, sumOfSquares } from '@magic/tensor/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { printResult, randomQwen2 } from './bench-common.js';
import { randomIds } from './lm-args.js';

const { values } = parseArgs({
  options: { device: { type: 'string', default: 'webgpu' }, seq: { type: 'string', default: '64' } },
});
const info = await initBackend({
  ...initBackendOptionsFromEnv(process.env),
  device: values.device as 'webgpu',
  allowSoftwareAdapter: true,
});
const lm = randomQwen2(
  { hidden: 56, intermediate: 96, layers: 24, heads: 14, kvHeads: 2, vocab: 512 },
  'count-dispatches',
);
const seq = Number(values.seq);
const micro = 4;
const inputIds = Array.from({ length: micro }, (_, i) => randomIds(seq, 0, 500, i + 1));
const batch = {
  inputIds,
  attentionMask: inputIds.map((r) => r.map(() => 1)),
  responseMask: inputIds.map((r) => r.map((_, t) => (t >= seq / 2 ? 1 : 0))),
  uids: inputIds.map(() => 'g0'),
  rewards: inputIds.map((_, i) => i / micro),
  oldLogProbs: inputIds.map((r) => r.map(() => -1)),
};
const updater = new GrpoUpdater(
  causalLmPolicy(lm),
  { lr: 1e-6, ppoMiniBatchSize: 1, ppoMicroBatchSize: micro },
  { adamwUpdate: adamwStep, sumOfSquares, axpyInPlace },
);
await updater.update(batch); // compile + optimizer state
// twice the rows (two micro-batches, still one optimizer step): the difference is one micro-batch's fwd + bwd
const double = {
  inputIds: [...batch.inputIds, ...batch.inputIds],
  attentionMask: [...batch.attentionMask, ...batch.attentionMask],
  responseMask: [...batch.responseMask, ...batch.responseMask],
  uids: [...batch.uids, ...batch.uids],
  rewards: [...batch.rewards, ...batch.rewards],
  oldLogProbs: [...batch.oldLogProbs, ...batch.oldLogProbs],
};
await updater.update(double);
/** Compute-shader dispatches (calls of the WebGPU backend's runWebGPUProgram) and kernel calls by name during f. */
const count = async (f: () => Promise<unknown>) => {
  const backend = tf.backend() as unknown as { runWebGPUProgram?: (...a: unknown[]) => unknown };
  const original = backend.runWebGPUProgram;
  let dispatches = 0;
  if (original) {
    backend.runWebGPUProgram = (...a: unknown[]) => {
      dispatches++;
      return original.apply(backend, a);
    };
  }
  try {
    const p = await tf.profile(async () => {
      await f();
    });
    const by = new Map<string, number>();
    for (const k of p.kernels) if (k.name !== 'Reshape') by.set(k.name, (by.get(k.name) ?? 0) + 1);
    return { total: dispatches, top: [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12) };
  } finally {
    if (original) backend.runWebGPUProgram = original;
  }
};
const update = await count(() => updater.update(batch));
const update2 = await count(() => updater.update(double));
const perMicro = update2.total - update.total;
const prompts = inputIds.map((r) => r.slice(0, 8));
const gen = (n: number) => () => lm.generate(prompts, { maxNewTokens: n, temperature: 1, stopTokenIds: [], seed: 1 });
const g2 = await count(gen(2));
const g10 = await count(gen(10));
printResult({
  workload: 'count-dispatches',
  backend: info.name,
  layers: lm.config.numHiddenLayers,
  grpoUpdate: {
    kernelsOneMicroBatch: update.total,
    kernelsPerExtraMicroBatch: perMicro,
    kernelsOptimizerAndClip: update.total - perMicro,
    top: update.top,
  },
  decodeStep: { kernels: (g10.total - g2.total) / 8 },
  note: 'counts are runWebGPUProgram calls (compute dispatches; reshapes and identities dispatch nothing); top = kernel calls by name',
});
updater.dispose();
lm.dispose();
releaseWebGpu();
