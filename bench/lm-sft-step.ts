// One SFT optimizer step: `tsx bench/lm-sft-step.ts --preset tiny --device wasm [--batch 64 --seq 256 --micro 64 --runs 3]`
// (GPU: node scripts/device-bundle.mjs bench/lm-sft-step.ts .bundle/lm-sft-step.mjs). Prints one JSON line.
import { defined } from '@magic/core';
import { SftTrainer, type TokenizedExample } from '@magic/lm';
import { initBackend, initBackendOptionsFromEnv, releaseWebGpu } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { loadBenchLm } from './bench-common.js';
import { median, parseBenchArgs, randomIds } from './lm-args.js';

const args = parseBenchArgs(process.argv.slice(2), { batch: 64, seq: 256, micro: 64 });
const { batch, seq, micro } = args.ints;
if (batch % micro !== 0) throw new Error('--batch must be a multiple of --micro');
const info = await initBackend({ ...initBackendOptionsFromEnv(process.env), device: args.device });
const lm = await loadBenchLm(args.preset);
const examples: TokenizedExample[] = Array.from({ length: batch }, (_, i) => ({
  ids: randomIds(seq, 0, 500, i + 1),
  lossMask: Array.from({ length: seq }, (_, t) => (t >= seq / 2 ? 1 : 0)),
}));
const trainer = new SftTrainer(lm, {
  learningRate: 1e-5,
  totalSteps: args.runs + 1,
  batchSize: micro,
  gradAccumSteps: batch / micro,
  maxLength: seq,
});

const times: number[] = [];
const losses: number[] = [];
await trainer.trainTokenized(examples, { steps: 1 }); // warm-up
for (let r = 0; r < args.runs; r++) {
  const t0 = performance.now();
  const [log] = await trainer.trainTokenized(examples, { steps: 1 });
  const seconds = (performance.now() - t0) / 1000;
  times.push(seconds);
  console.error(`run ${r + 1}/${args.runs}: ${seconds.toFixed(3)} s`);
  losses.push(defined(log, 'step log').loss);
}
const sec = median(times);
console.log(
  JSON.stringify({
    workload: 'lm-sft-step',
    backend: info.name,
    adapter: info.adapter?.description ?? null,
    preset: args.preset,
    shapes: {
      batch,
      seq,
      microBatch: micro,
      hidden: lm.config.hiddenSize,
      layers: lm.config.numHiddenLayers,
      vocab: lm.config.vocabSize,
    },
    runs: times.map((t) => Number(t.toFixed(3))),
    medianSec: Number(sec.toFixed(3)),
    tokensPerSec: Number(((batch * seq) / sec).toFixed(1)),
    losses: losses.map((l) => Number(l.toFixed(4))),
    numTensorsAfter: tf.memory().numTensors,
  }),
);
trainer.dispose();
lm.dispose();
releaseWebGpu();
