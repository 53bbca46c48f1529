// Per-kernel profile of sampling (issue 10): wall time per decode step, dispatches per step, and the
// GPU time per kernel (tf.profile; WebGPU timestamp queries when the adapter has them).
//   npx tsx bench/profile-decode.ts [--preset qwen2.5-0.5b] [--device auto] [--batch 64] [--prompt 128]
// Every decode step runs through tfjs here (MAGIC_DECODE_GRAPH=0 unless set): tf.profile cannot see the steps a
// dispatch graph replays (bench/decode-graph.ts times those); MAGIC_FAST_MATMUL=all gives the graph's matmul mix.
import { initBackend, initBackendOptionsFromEnv, releaseWebGpu } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { deviceFacts, loadBenchLm, median, printResult, submitBatchSize } from './bench-common.js';
import { parseBenchArgs, randomIds } from './lm-args.js';

process.env.MAGIC_DECODE_GRAPH ??= '0';
const args = parseBenchArgs(process.argv.slice(2), { batch: 64, prompt: 128, submitBatch: 0, top: 25 }, 'qwen2.5-0.5b');
const { batch, prompt, submitBatch, top } = args.ints;
const info = await initBackend({ ...initBackendOptionsFromEnv(process.env), device: args.device });
const submit = submitBatchSize(info.name, submitBatch);
const lm = await loadBenchLm(args.preset);
const vocab = Math.min(lm.config.vocabSize, lm.tokenizer.vocabSize);
const prompts = Array.from({ length: batch }, (_, i) => randomIds(prompt, 0, vocab, i + 1));
const gen = (n: number) => lm.generate(prompts, { maxNewTokens: n, temperature: 1, stopTokenIds: [], seed: 1 });

await gen(2); // compile
const wall = async (n: number) => {
  const t = performance.now();
  await gen(n);
  return performance.now() - t;
};
const short: number[] = [];
const long: number[] = [];
for (let r = 0; r < args.runs; r++) {
  short.push(await wall(2));
  long.push(await wall(10));
}
const decodeStepMs = (median(long) - median(short)) / 8;
const prefillMs = median(short) - 2 * decodeStepMs;

async function profile(n: number) {
  const p = await tf.profile(async () => {
    await gen(n);
  });
  const byName = new Map<string, { count: number; ms: number }>();
  for (const k of p.kernels) {
    const ms = Number(await k.kernelTimeMs) || 0;
    const e = byName.get(k.name) ?? { count: 0, ms: 0 };
    e.count += 1;
    e.ms += ms;
    byName.set(k.name, e);
  }
  return byName;
}
// Kernels of 8 decode steps = profile(10) - profile(2).
const a = await profile(2);
const b = await profile(10);
const rows = [...b.entries()].map(([name, e]) => {
  const s = a.get(name) ?? { count: 0, ms: 0 };
  return { name, perStep: (e.count - s.count) / 8, gpuMsPerStep: Number(((e.ms - s.ms) / 8).toFixed(3)) };
});
rows.sort((x, y) => y.gpuMsPerStep - x.gpuMsPerStep);
printResult({
  workload: 'profile-decode',
  ...deviceFacts(info),
  preset: args.preset,
  shapes: { batch, promptTokens: prompt },
  submitBatch: submit,
  decodeStepMs: Number(decodeStepMs.toFixed(2)),
  prefillMs: Number(prefillMs.toFixed(1)),
  kernelsPerDecodeStep: rows.reduce((acc, r) => acc + r.perStep, 0),
  gpuMsPerDecodeStep: Number(rows.reduce((acc, r) => acc + r.gpuMsPerStep, 0).toFixed(2)),
  topKernels: rows.slice(0, top),
});
lm.dispose();
releaseWebGpu();
