// What bounds decoding replayed from a dispatch graph (issue 10, B1): after a prefill of B prompts, the captured
// decode step (all layers + sampling) is replayed in three ways, `--steps` each:
//   queued     every step enqueued back to back, one read at the end: GPU-bound time per step
//   sync       each step read back before the next is enqueued: GPU time + read-back latency
//   pipelined  step s enqueued before step s-1 is read
//   ahead2     step s enqueued before step s-2 is read (what generate does)
// plus the host time spent enqueueing one step. One JSON line on stdout.
//   npx tsx bench/decode-graph.ts [--preset qwen2.5-0.5b] [--device auto] [--batch 64] [--prompt 128] [--steps 64]
import { defined } from '@magic/core';
import { initBackend, initBackendOptionsFromEnv, releaseWebGpu } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { DecodeGraph } from '../packages/lm/src/decode-graph.js';
import { attentionBias, forwardHidden } from '../packages/lm/src/model.js';
import { PackedDecoder } from '../packages/lm/src/packed-model.js';
import { deviceFacts, loadBenchLm, median, printResult } from './bench-common.js';
import { parseBenchArgs, randomIds } from './lm-args.js';

const args = parseBenchArgs(process.argv.slice(2), { batch: 64, prompt: 128, steps: 64 }, 'qwen2.5-0.5b');
const { batch, prompt, steps } = args.ints;
const info = await initBackend({ ...initBackendOptionsFromEnv(process.env), device: args.device });
const lm = await loadBenchLm(args.preset);
const cfg = lm.config;
const vocab = Math.min(cfg.vocabSize, lm.tokenizer.vocabSize);
const b = batch;
const p = prompt;
const n = steps;
const keyMask = Array.from({ length: b }, () => Array(p).fill(1) as number[]);
const prefill = tf.tidy(() => {
  const ids = tf.tensor2d(
    Array.from({ length: b }, (_, i) => randomIds(p, 0, vocab, i + 1)),
    [b, p],
    'int32',
  );
  const positions = tf.tensor2d(
    Array.from({ length: b }, () => Array.from({ length: p }, (_, j) => j)),
    [b, p],
    'int32',
  );
  const { cache } = forwardHidden(lm.weights, cfg, { ids, positions, bias: attentionBias(keyMask, p) }, true);
  const { k, v } = defined(cache, 'prefill KV cache');
  return [...k, ...v];
});
const layers = cfg.numHiddenLayers;
const total = 1 + (args.runs + 1) * 4 * n;
const decoder = new PackedDecoder(
  lm.weights,
  cfg,
  { k: prefill.slice(0, layers) as tf.Tensor4D[], v: prefill.slice(layers) as tf.Tensor4D[] },
  keyMask,
  p + total,
);
const graph = new DecodeGraph(decoder, 1);
let slot = p;
const uniforms = () => Float32Array.from({ length: b }, () => Math.random());
const at = () => Array(b).fill(slot) as number[];
const first = tf.zeros([b, 1], 'int32') as tf.Tensor2D;
await graph.step(first, at(), slot++, uniforms());
first.dispose();

const hostMs: number[] = [];
function enqueue() {
  const t = performance.now();
  graph.enqueue(at(), slot++, uniforms());
  hostMs.push(performance.now() - t);
}
async function queued(): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) enqueue();
  await graph.read();
  return (performance.now() - t) / n;
}
/** Steps with at most `ahead` read-backs outstanding (0: each step read back before the next is enqueued). */
async function pipelined(ahead: number): Promise<number> {
  const t = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    enqueue();
    inFlight.push(graph.read());
    while (inFlight.length > ahead) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return (performance.now() - t) / n;
}
const runs: Record<'queued' | 'sync' | 'pipelined' | 'ahead2', number[]> = {
  queued: [],
  sync: [],
  pipelined: [],
  ahead2: [],
};
for (let r = 0; r <= args.runs; r++) {
  const q = await queued();
  const s = await pipelined(0);
  const pl = await pipelined(1);
  const a2 = await pipelined(2);
  if (r === 0) continue; // warm-up
  runs.queued.push(q);
  runs.sync.push(s);
  runs.pipelined.push(pl);
  runs.ahead2.push(a2);
}
const ms = (xs: number[]) => Number(median(xs).toFixed(2));
printResult({
  workload: 'decode-graph',
  ...deviceFacts(info),
  preset: args.preset,
  shapes: { batch: b, promptTokens: p, steps: n, layers, vocab: cfg.vocabSize },
  dispatchesPerStep: graph.dispatches,
  msPerStep: {
    queued: ms(runs.queued),
    sync: ms(runs.sync),
    pipelined: ms(runs.pipelined),
    ahead2: ms(runs.ahead2),
  },
  hostMsPerEnqueue: ms(hostMs),
  tokensPerSecondAhead2: Number(((b * 1000) / median(runs.ahead2)).toFixed(1)),
});
graph.dispose();
decoder.dispose();
lm.dispose();
releaseWebGpu();
