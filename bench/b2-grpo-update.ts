// B2 (issue 10): one GRPO update of the Qwen2.5-0.5B shape (random init) on 64 sequences x 256
// tokens (128 prompt + 128 response): forward + token log-probs + clipped policy loss + backward +
// grad clip + AdamW, as bench/peers/torch_grpo.py's B2. Old log-probs are computed once beforehand
// (like the peer), so a timed run is exactly one optimizer step. One JSON line on stdout.
//   npx tsx bench/b2-grpo-update.ts [--preset qwen2.5-0.5b] [--device auto] [--batch 64] [--seq 256]
//                                   [--micro 16] [--runs 3] [--submitBatch 0]
//                                   [--profile 0|1: one more update with per-program GPU times]
//                                   [--checkpoint 0|1: gradient checkpointing, layers recomputed in backward]
//                                   [--axpy 0|1: in-place gradient accumulation and clip scaling (default 1)]
//                                   [--responseOnly 0|1: log-probs (vocabulary head) for response columns only
//                                    (default 1, as GrpoUpdater does; 0: every column, as HF's default forward)]
//                                   [--keepLogits 0|1: the head's backward reuses the forward logits (default 0)]
//                                   [--chunkRows n: rows of logits per head chunk (default 0: even chunks of at
//                                    most MAX_LOGITS_CHUNK = 2^27 logits)]
import { defined } from '@magic/core';
import { causalLmPolicy } from '@magic/game';
import { type GrpoBatch, GrpoUpdater, type PolicyBatch } from '@magic/grpo';
import { initBackend, initBackendOptionsFromEnv, releaseWebGpu } from '@magic/tensor';
import { adamwStep, axpyInPlace, sumOfSquares } from '@magic/tensor/kernels';
import { type WebGpuPoolStats, webGpuPoolStats } from '@magic/tensor/webgpu';
import * as tf from '@tensorflow/tfjs-core';
import {
  deviceFacts,
  loadBenchLm,
  median,
  memoryReport,
  printResult,
  submitBatchSize,
  timeRuns,
} from './bench-common.js';
import { type GpuProfile, profileGpu } from './gpu-profile.js';
import { parseBenchArgs, randomIds } from './lm-args.js';

const args = parseBenchArgs(
  process.argv.slice(2),
  {
    batch: 64,
    seq: 256,
    micro: 16,
    submitBatch: 0,
    profile: 0,
    checkpoint: 0,
    axpy: 1,
    responseOnly: 1,
    keepLogits: 0,
    chunkRows: 0,
  },
  'qwen2.5-0.5b',
);
const { batch, seq, micro, submitBatch, profile, checkpoint, axpy, responseOnly, keepLogits, chunkRows } = args.ints;
const info = await initBackend({
  ...initBackendOptionsFromEnv(process.env),
  device: args.device,
  matmulPrecision: args.matmulPrecision,
});
const submit = submitBatchSize(info.name, submitBatch);
const lm = await loadBenchLm(args.preset);
const vocab = Math.min(lm.config.vocabSize, lm.tokenizer.vocabSize);
lm.gradientCheckpointing = checkpoint === 1;
lm.keepLogits = keepLogits === 1;
if (chunkRows > 0) lm.logitsChunkRows = chunkRows;
const lmPolicy = causalLmPolicy(lm);
// --responseOnly 0: drop the updater's fromPosition, so every column goes through the vocabulary head
const policy =
  responseOnly === 1
    ? lmPolicy
    : {
        trainableVariables: lmPolicy.trainableVariables,
        computeLogProbs: (b: PolicyBatch) => lmPolicy.computeLogProbs({ ...b, fromPosition: undefined }),
        computeLogProbsAndEntropy: (b: PolicyBatch, o?: { entropyGrad?: boolean }) =>
          defined(lmPolicy.computeLogProbsAndEntropy, 'computeLogProbsAndEntropy of the LM policy')(
            { ...b, fromPosition: undefined },
            o,
          ),
      };
const groupSize = 4;
// as the trainer's LmPlayer: the fused in-place AdamW, Σg² and in-place accumulation/clip of @magic/tensor
const updater = new GrpoUpdater(
  policy,
  {
    lr: 1e-6,
    weightDecay: 0.01,
    gradClip: 1.0,
    ppoEpochs: 1,
    ppoMiniBatchSize: batch / groupSize,
    ppoMicroBatchSize: micro,
  },
  { adamwUpdate: adamwStep, sumOfSquares, ...(axpy === 1 ? { axpyInPlace } : {}) },
);

const inputIds = Array.from({ length: batch }, (_, i) => randomIds(seq, 0, vocab, 1000 + i));
const half = seq / 2;
const base: GrpoBatch = {
  inputIds,
  attentionMask: inputIds.map((r) => r.map(() => 1)),
  responseMask: inputIds.map((r) => r.map((_, t) => (t >= half ? 1 : 0))),
  uids: inputIds.map((_, i) => `g${Math.floor(i / groupSize)}`),
  rewards: inputIds.map((_, i) => ((i * 7919) % 13) / 13),
};

// Old log-probs once (no grad), in micro-batches, like the rollout's oldLogProbs stage.
const oldLogProbs: number[][] = [];
for (let s = 0; s < batch; s += micro) {
  const lp = tf.tidy(() =>
    policy.computeLogProbs({
      inputIds: tf.tensor2d(base.inputIds.slice(s, s + micro), undefined, 'int32'),
      attentionMask: tf.tensor2d(base.attentionMask.slice(s, s + micro), undefined, 'int32'),
      fromPosition: responseOnly === 1 ? half : undefined,
    }),
  );
  oldLogProbs.push(...((await lp.array()) as number[][]));
  lp.dispose();
}
const grpoBatch: GrpoBatch = { ...base, oldLogProbs };

let warmPool: WebGpuPoolStats | undefined;
let lastMetrics: Record<string, number> = {};
const times = await timeRuns(
  args.runs,
  async () => {
    lastMetrics = await updater.update(grpoBatch);
  },
  'B2',
  () => {
    warmPool = webGpuPoolStats();
  },
);
const sec = median(times);
const memory = memoryReport(); // before the profiled update (its timers hold staging buffers)
const pool = webGpuPoolStats();
// pool churn per timed update: new GPU buffers and evictions after warm-up (0 once the pool holds the working set)
const poolPerUpdate =
  pool && warmPool
    ? {
        misses: (pool.misses - warmPool.misses) / times.length,
        evictedGB: Number(((pool.evictedBytes - warmPool.evictedBytes) / times.length / 1e9).toFixed(2)),
      }
    : undefined;
let gpuProfile: GpuProfile | undefined;
if (profile && info.name === 'webgpu') {
  gpuProfile = await profileGpu(() => updater.update(grpoBatch));
  gpuProfile.rows = gpuProfile.rows.slice(0, 30);
  gpuProfile.byShape = gpuProfile.byShape.slice(0, 25);
}
printResult({
  workload: 'B2-grpo-update',
  ...deviceFacts(info),
  preset: args.preset,
  gradientCheckpointing: lm.gradientCheckpointing,
  axpyInPlace: axpy === 1,
  responseOnly: responseOnly === 1,
  keepLogits: lm.keepLogits,
  logitsChunkRows: lm.logitsChunkRows ?? null,
  shapes: { batch, seq, microBatch: micro, params: policy.trainableVariables.reduce((a, v) => a + v.size, 0) },
  submitBatch: submit,
  runs: times.map((t) => Number(t.toFixed(3))),
  medianSeconds: Number(sec.toFixed(3)),
  tokensPerSecond: Number(((batch * seq) / sec).toFixed(1)),
  loss: lastMetrics['actor/pgLoss'] ?? null,
  gradNorm: lastMetrics['actor/gradNorm'] ?? null,
  memory,
  ...(poolPerUpdate ? { poolPerUpdate } : {}),
  ...(gpuProfile ? { gpuProfile } : {}),
});
updater.dispose();
lm.dispose();
releaseWebGpu();
