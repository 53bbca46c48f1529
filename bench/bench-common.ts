// Shared bits of the B1/B2/B3 workloads (issue 10): backend facts, GPU memory, the JSON line.

import {
  applyLmRuntimeOptions,
  CausalLM,
  type LmRuntimeOptions,
  lmRuntimeOptionsFromEnv,
  type Preset,
  parseQwen2Config,
  Tokenizer,
} from '@magic/lm';
import type { BackendInfo } from '@magic/tensor';
import { leanBackpropInstalled } from '@magic/tensor/kernels';
import { fastMatMulInstalled, webGpuErrorCount, webGpuPoolStats } from '@magic/tensor/webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { randomWeights } from '../packages/lm/src/weights.js';

export { median } from './lm-args.js';

/** tfjs' own memory report plus, on WebGPU, the bytes Dawn holds for the buffer pool. */
export function memoryReport(): Record<string, unknown> {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number };
  const gb = (n: number | undefined) => (n === undefined ? undefined : Number((n / 1e9).toFixed(3)));
  const out: Record<string, unknown> = { numTensors: m.numTensors, tensorGB: gb(m.numBytes) };
  const inGpu = gb(m.numBytesInGPU);
  const allocated = gb(m.numBytesAllocatedInGPU);
  if (inGpu !== undefined) out.gpuBytesInUseGB = inGpu;
  if (allocated !== undefined) out.gpuBytesAllocatedGB = allocated;
  const pool = tf.getBackend() === 'webgpu' ? webGpuPoolStats() : undefined;
  if (pool) out.pool = { ...pool, capBytes: undefined, capGB: pool.capBytes / 1e9, top: poolTopSizes() };
  return out;
}

interface PoolBuffers {
  usedBuffers: Map<string, { size: number }[]>;
  freeBuffers: Map<string, { size: number }[]>;
}

/** The buffer sizes holding most of the WebGPU pool (used + free), to see what a pool's bytes are made of. */
function poolTopSizes(n = 8): { MB: number; used: number; free: number; GB: number }[] {
  const m = (tf.backend() as unknown as { bufferManager?: PoolBuffers }).bufferManager;
  if (!m?.usedBuffers || !m.freeBuffers) return [];
  const bySize = new Map<number, { used: number; free: number }>();
  const add = (lists: Map<string, { size: number }[]>, kind: 'used' | 'free') => {
    for (const list of lists.values()) {
      for (const b of list) {
        const e = bySize.get(b.size) ?? { used: 0, free: 0 };
        e[kind] += 1;
        bySize.set(b.size, e);
      }
    }
  };
  add(m.usedBuffers, 'used');
  add(m.freeBuffers, 'free');
  return [...bySize.entries()]
    .map(([size, e]) => ({
      MB: Number((size / 1e6).toFixed(1)),
      ...e,
      GB: Number(((size * (e.used + e.free)) / 1e9).toFixed(2)),
    }))
    .sort((a, b) => b.GB - a.GB)
    .slice(0, n);
}

/** The bench scripts are entry points: they map MAGIC_PACKED_DECODE=0 etc. to @magic/lm's options, as the CLIs do. */
export function benchLmOptions(): LmRuntimeOptions {
  return lmRuntimeOptionsFromEnv(process.env);
}

/** A preset model (seeded random init) with the environment's lm switches applied. */
export async function loadBenchLm(preset: Preset, seed = 0): Promise<CausalLM> {
  const options = benchLmOptions();
  const lm = await CausalLM.fromPreset(preset, {
    seed,
    ...(options.qwenTokenizerDir === undefined ? {} : { qwenTokenizerDir: options.qwenTokenizerDir }),
  });
  applyLmRuntimeOptions(lm, options);
  return lm;
}

export function deviceFacts(info: BackendInfo): Record<string, unknown> {
  return {
    device: info.adapter?.description || info.adapter?.device || info.name,
    backend: info.name,
    webGpuErrors: info.name === 'webgpu' ? webGpuErrorCount() : 0,
    /** The matmul precision mode of this row (issue 21): requested, what ran, and why not when it fell back. */
    matmulPrecision: info.matmul
      ? { requested: info.matmul.requested, active: info.matmul.active, fallback: info.matmul.fallback ?? null }
      : 'fp32',
    ...(process.env.MAGIC_DAWN_ENABLE || process.env.MAGIC_DAWN_DISABLE
      ? { dawn: { enable: process.env.MAGIC_DAWN_ENABLE ?? '', disable: process.env.MAGIC_DAWN_DISABLE ?? '' } }
      : {}),
    /** The kernels in use: @magic/tensor's tiled GEMM, the in-place KV-cache decode path and its dispatch graph. */
    kernels: {
      fastMatMul: info.name === 'webgpu' && fastMatMulInstalled(),
      packedDecode: info.name === 'webgpu' && benchLmOptions().packedDecode !== false,
      decodeGraph:
        info.name === 'webgpu' && benchLmOptions().packedDecode !== false && benchLmOptions().decodeGraph !== false,
      packedMlp: info.name === 'webgpu' && benchLmOptions().packedMlp !== false,
      leanBackprop: leanBackpropInstalled(),
    },
  };
}

/** Prints the workload's one JSON line on stdout (progress goes to stderr). */
export function printResult(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

/** Runs `fn` once to warm up, then `runs` times; returns the seconds of each timed run. */
export async function timeRuns(
  runs: number,
  fn: () => Promise<void>,
  label: string,
  afterWarmUp?: () => void,
): Promise<number[]> {
  const t0 = performance.now();
  await fn();
  console.error(`${label}: warm-up ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  afterWarmUp?.();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    await fn();
    const seconds = (performance.now() - t) / 1000;
    times.push(seconds);
    console.error(`${label}: run ${r + 1}/${runs} ${seconds.toFixed(3)} s`);
  }
  return times;
}

/** The WebGPU submit batch (dispatches per queue submit); null off WebGPU. `n > 0` sets it first. */
export function submitBatchSize(backend: string, n = 0): number | null {
  if (backend !== 'webgpu') return null;
  if (n > 0) tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', n);
  return tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE');
}

export interface RandomQwen2Shape {
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  vocab: number;
}

/** A Qwen2 model of the given widths with seeded random weights (memory and dispatch-count benches on any backend). */
export function randomQwen2(shape: RandomQwen2Shape, name: string, seed = 0): CausalLM {
  const config = parseQwen2Config(
    {
      model_type: 'qwen2',
      hidden_act: 'silu',
      hidden_size: shape.hidden,
      intermediate_size: shape.intermediate,
      num_hidden_layers: shape.layers,
      num_attention_heads: shape.heads,
      num_key_value_heads: shape.kvHeads,
      vocab_size: shape.vocab,
      max_position_embeddings: 4096,
      rms_norm_eps: 1e-6,
      rope_theta: 1e6,
      tie_word_embeddings: true,
    },
    name,
  );
  const lm = new CausalLM(config, Tokenizer.tiny(), randomWeights(config, seed));
  applyLmRuntimeOptions(lm, benchLmOptions());
  return lm;
}
