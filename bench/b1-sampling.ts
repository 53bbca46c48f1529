// B1 (issue 10): sampling throughput, Qwen2.5-0.5B shape (random init), 64 prompts x 128 tokens,
// 128 new tokens, temperature 1, KV cache. One JSON line on stdout (median of >= 3 warm runs).
//   npx tsx bench/b1-sampling.ts [--preset qwen2.5-0.5b] [--device auto] [--batch 64] [--prompt 128]
//                                [--new 128] [--runs 3] [--submitBatch 0]
// Any preset or backend, e.g. `--preset tiny --device wasm --batch 4 --prompt 8 --new 8` (it replaces lm-sample.ts).
// GPU machine: node scripts/device-bundle.mjs bench/b1-sampling.ts .bundle/b1-sampling.mjs (docs/gpu.md).
import { initBackend, initBackendOptionsFromEnv, releaseWebGpu } from '@magic/tensor';
import {
  deviceFacts,
  loadBenchLm,
  median,
  memoryReport,
  printResult,
  submitBatchSize,
  timeRuns,
} from './bench-common.js';
import { parseBenchArgs, randomIds } from './lm-args.js';

const args = parseBenchArgs(
  process.argv.slice(2),
  { batch: 64, prompt: 128, new: 128, submitBatch: 0 },
  'qwen2.5-0.5b',
);
const { batch, prompt, new: newTokens, submitBatch } = args.ints;
const info = await initBackend({
  ...initBackendOptionsFromEnv(process.env),
  device: args.device,
  matmulPrecision: args.matmulPrecision,
});
const submit = submitBatchSize(info.name, submitBatch);
const lm = await loadBenchLm(args.preset);
const vocab = Math.min(lm.config.vocabSize, lm.tokenizer.vocabSize);
const prompts = Array.from({ length: batch }, (_, i) => randomIds(prompt, 0, vocab, i + 1));
const opts = { maxNewTokens: newTokens, temperature: 1, topP: 1, stopTokenIds: [], seed: 1 };

let generated = 0;
const times = await timeRuns(
  args.runs,
  async () => {
    const outs = await lm.generate(prompts, opts);
    generated = outs.reduce((a, o) => a + o.tokenIds.length, 0);
  },
  'B1',
);
const sec = median(times);
printResult({
  workload: 'B1-sampling',
  ...deviceFacts(info),
  preset: args.preset,
  shapes: {
    batch,
    promptTokens: prompt,
    newTokens,
    hidden: lm.config.hiddenSize,
    layers: lm.config.numHiddenLayers,
    vocab: lm.config.vocabSize,
  },
  submitBatch: submit,
  runs: times.map((t) => Number(t.toFixed(3))),
  medianSeconds: Number(sec.toFixed(3)),
  tokensPerSecond: Number((generated / sec).toFixed(1)),
  memory: memoryReport(),
});
lm.dispose();
releaseWebGpu();
