// WebGPU buffer pool after GRPO updates of a small random Qwen2 (19.4M parameters, 8 x 32 tokens, micro-batches of 2,
// a clip that scales), with or without the in-place gradient accumulation and clip (axpyInPlace). Runs on the
// software adapter too. One JSON line.   MAGIC_ALLOW_SOFTWARE_WEBGPU=1 npx tsx bench/grpo-pool-memory.ts [0|1]
// Measured (software adapter, this 2-core machine): pool 515.3 MB without, 484.4 MB with (tensors 232.9 MB both).
import { causalLmPolicy } from '@magic/game';
import { type GrpoBatch, GrpoUpdater } from '@magic/grpo';
import { initBackend, initBackendOptionsFromEnv } from '@magic/tensor';
import { adamwStep, axpyInPlace, sumOfSquares } from '@magic/tensor/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { randomQwen2 } from './bench-common.js';

const inPlace = process.argv[2] === '1';
await initBackend({ ...initBackendOptionsFromEnv(process.env), device: 'webgpu', allowSoftwareAdapter: true });
const lm = randomQwen2(
  { hidden: 512, intermediate: 2048, layers: 4, heads: 8, kvHeads: 2, vocab: 8192 },
  'grpo-pool-memory',
);
const updater = new GrpoUpdater(
  causalLmPolicy(lm),
  { lr: 1e-4, gradClip: 1e-3, ppoMicroBatchSize: 2 },
  { adamwUpdate: adamwStep, sumOfSquares, ...(inPlace ? { axpyInPlace } : {}) },
);
const ids = [1, 2, 3, 4, 5, 6, 7, 8].map((r) => Array.from({ length: 32 }, (_, t) => ((r * 17 + t * 5) % 4000) + 3));
const batch: GrpoBatch = {
  inputIds: ids,
  attentionMask: ids.map((row) => row.map(() => 1)),
  responseMask: ids.map((row) => row.map((_, t) => (t >= 16 ? 1 : 0))),
  uids: ['a', 'a', 'b', 'b', 'c', 'c', 'd', 'd'],
  rewards: [1, 0, 0.5, 0, 1, 0, 0.5, 0],
};
for (let i = 0; i < 3; i++) await updater.update(batch);
const m = (tf.backend() as unknown as { bufferManager: { numBytesAllocated: number } }).bufferManager;
const params = lm.trainableVariables.reduce((a, v) => a + v.size, 0);
console.log(
  JSON.stringify({
    bench: 'grpo-pool-memory',
    inPlace,
    params,
    poolMB: +(m.numBytesAllocated / 1e6).toFixed(1),
    tensorMB: +(tf.memory().numBytes / 1e6).toFixed(1),
  }),
);
