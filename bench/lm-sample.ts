// Sampling throughput: `tsx bench/lm-sample.ts --preset tiny --device wasm [--batch 64 --prompt 128 --new 128 --runs 3]`
// (GPU: node scripts/device-bundle.mjs bench/lm-sample.ts .bundle/lm-sample.mjs). Prints one JSON line.
import { CausalLM } from '@magic/lm';
import { initBackend, releaseWebGpu } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { median, parseBenchArgs, randomIds } from './lm-args.js';

const args = parseBenchArgs(process.argv.slice(2), { batch: 64, prompt: 128, new: 128 });
const { batch, prompt, new: newTokens } = args.ints as { batch: number; prompt: number; new: number };
const info = await initBackend({ device: args.device });
const lm = await CausalLM.fromPreset(args.preset, { seed: 0 });
const prompts = Array.from({ length: batch }, (_, i) => randomIds(prompt, 0, 500, i + 1));
const opts = { maxNewTokens: newTokens, temperature: 1, topP: 1, stopTokenIds: [], seed: 1 };

await lm.generate(prompts.slice(0, Math.min(2, batch)), { ...opts, maxNewTokens: 2 }); // warm-up (kernel compile)
const times: number[] = [];
let generated = 0;
for (let r = 0; r < args.runs; r++) {
  const t0 = performance.now();
  const outs = await lm.generate(prompts, opts);
  times.push((performance.now() - t0) / 1000);
  console.error(`run ${r + 1}/${args.runs}: ${times[r]!.toFixed(3)} s`);
  generated = outs.reduce((a, o) => a + o.tokenIds.length, 0);
}
const sec = median(times);
console.log(
  JSON.stringify({
    workload: 'lm-sample',
    backend: info.name,
    adapter: info.adapter?.description ?? null,
    preset: args.preset,
    shapes: {
      batch,
      promptTokens: prompt,
      newTokens,
      hidden: lm.config.hiddenSize,
      layers: lm.config.numHiddenLayers,
      vocab: lm.config.vocabSize,
    },
    runs: times.map((t) => Number(t.toFixed(3))),
    medianSec: Number(sec.toFixed(3)),
    newTokensPerSec: Number((generated / sec).toFixed(1)),
    numTensorsAfter: tf.memory().numTensors,
  }),
);
lm.dispose();
releaseWebGpu();
