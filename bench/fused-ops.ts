// Fused WGSL kernels vs their unfused tfjs references, on one backend, at Qwen2.5-0.5B shapes:
// `npx tsx bench/fused-ops.ts --device webgpu [--batch 64 --t 128 --s 512 --rows 256 --vocab 151936 --runs 5 --iters 20]`
// (GPU: node scripts/device-bundle.mjs bench/fused-ops.ts .bundle/fused-ops.mjs). One JSON line per op:
// median of >= 3 warm runs (after one warm-up that compiles) of the wall ms per call, each run being `iters`
// calls synchronised once by reading back one element of the last output (a read-back waits for all
// submitted work). Each line also gives the fused
// output's agreement with the reference on the same backend (maxAbsErr; intMismatches for sampled ids).
import { at, defined } from '@magic/core';
import { type Device, initBackend, initBackendOptionsFromEnv, releaseWebGpu } from '@magic/tensor';
import {
  decodeAttention,
  fusedRmsNorm,
  fusedRope,
  fusedRopeAt,
  fusedSwiGlu,
  logProbGather,
  sampleTokens,
} from '@magic/tensor/kernels';
import {
  decodeAttentionReference,
  logProbGatherReference,
  rmsNormReference,
  ropeAtReference,
  ropeReference,
  sampleIdsReference,
  swiGluReference,
} from '@magic/tensor/testing';
import * as tf from '@tensorflow/tfjs-core';
import { deviceFlag, flagPairs, median, positiveIntFlag } from './lm-args.js';

const QWEN = { hidden: 896, heads: 14, kvHeads: 2, headDim: 64, intermediate: 4864, eps: 1e-6 };

function parseArgs(argv: string[]) {
  const out = { device: 'webgpu' as Device, runs: 5, iters: 20, batch: 64, t: 128, s: 512, rows: 256, vocab: 151936 };
  for (const [key, value] of flagPairs(argv)) {
    if (key === 'device') {
      out.device = deviceFlag(value);
    } else if (key in out) {
      (out as Record<string, unknown>)[key] = positiveIntFlag(key, value);
    } else {
      throw new Error(`unknown option --${key} (known: ${Object.keys(out).join(', ')})`);
    }
  }
  return out;
}

/**
 * Wall ms per call: `iters` calls queued back to back (each in its own tidy), then one read-back of one
 * element of the last output, so the read-back's fixed cost (about 0.7 ms on Dawn/Vulkan) is spread out.
 */
async function timeOnce(fn: () => tf.Tensor | tf.Tensor[], iters: number): Promise<number> {
  const t0 = performance.now();
  let probe: tf.Tensor | undefined;
  for (let i = 0; i < iters; i++) {
    probe?.dispose();
    probe = tf.tidy(() => {
      const out = fn();
      const first = Array.isArray(out) ? at(out, 0, 'first output') : out;
      return tf.slice(tf.reshape(first, [-1]), [0], [1]);
    });
  }
  const last = defined(probe, 'timed output');
  await last.data();
  last.dispose();
  return (performance.now() - t0) / iters;
}

/** Fused vs reference outputs on this backend: max abs error of float outputs, mismatches of int outputs. */
async function agreement(c: { fused: () => tf.Tensor | tf.Tensor[]; reference: () => tf.Tensor | tf.Tensor[] }) {
  const read = async (fn: () => tf.Tensor | tf.Tensor[]) => {
    const out = tf.tidy(() => {
      const o = fn();
      return Array.isArray(o) ? o : [o];
    });
    const data = await Promise.all(out.map((t) => t.data()));
    tf.dispose(out);
    return data;
  };
  const f = await read(c.fused);
  const r = await read(c.reference);
  let maxAbsErr = 0;
  let intMismatches = 0;
  f.forEach((a, i) => {
    const b = at(r, i, 'reference output');
    for (const [j, aj] of a.entries()) {
      if (a instanceof Int32Array) intMismatches += aj === b[j] ? 0 : 1;
      else maxAbsErr = Math.max(maxAbsErr, Math.abs(aj - at(b, j, 'reference value')));
    }
  });
  return { maxAbsErr, intMismatches };
}

async function bench(fn: () => tf.Tensor | tf.Tensor[], runs: number, iters: number): Promise<number[]> {
  await timeOnce(fn, 1); // warm-up: compiles pipelines, fills buffer pools
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(await timeOnce(fn, iters));
  return times;
}

const args = parseArgs(process.argv.slice(2));
const info = await initBackend({ ...initBackendOptionsFromEnv(process.env), device: args.device });
const { batch: b, t, s, rows, vocab } = args;
const { hidden: h, heads: nh, kvHeads: kvh, headDim: d, intermediate: inter, eps } = QWEN;

const inputs = tf.tidy(() => {
  const pos = tf.reshape(tf.tile(tf.range(0, t, 1, 'float32'), [b]), [b, 1, t, 1]);
  const ang = tf.mul(pos, tf.reshape(tf.linspace(1, 1e-6, d), [1, 1, 1, d]));
  return {
    x: tf.randomNormal([b, t, h], 0, 1, 'float32', 1),
    w: tf.randomNormal([h], 1, 0.1, 'float32', 2),
    xh: tf.randomNormal([b, nh, t, d], 0, 1, 'float32', 3) as tf.Tensor4D,
    cos: tf.cos(ang) as tf.Tensor4D,
    sin: tf.sin(ang) as tf.Tensor4D,
    positions: tf.reshape(tf.tile(tf.range(0, t, 1, 'int32'), [b]), [b, t]) as tf.Tensor2D,
    gate: tf.randomNormal([b, t, inter], 0, 2, 'float32', 4),
    up: tf.randomNormal([b, t, inter], 0, 1, 'float32', 5),
    logits: tf.randomNormal([rows, vocab], 0, 3, 'float32', 6) as tf.Tensor2D,
    ids: tf.randomUniform([rows], 0, vocab, 'int32', 7) as tf.Tensor1D,
    sampleLogits: tf.randomNormal([b, vocab], 0, 3, 'float32', 8) as tf.Tensor2D,
    u: tf.randomUniform([b], 0, 1, 'float32', 9) as tf.Tensor1D,
    q: tf.randomNormal([b, nh, 1, d], 0, 1, 'float32', 10) as tf.Tensor4D,
    k: tf.randomNormal([b, kvh, s, d], 0, 1, 'float32', 11) as tf.Tensor4D,
    v: tf.randomNormal([b, kvh, s, d], 0, 1, 'float32', 12) as tf.Tensor4D,
    bias: tf.zeros([b, 1, 1, s]) as tf.Tensor4D,
  };
});
const I = inputs;
const scale = 1 / Math.sqrt(d);

const cases: {
  op: string;
  shapes: Record<string, number[]>;
  fused: () => tf.Tensor | tf.Tensor[];
  reference: () => tf.Tensor | tf.Tensor[];
}[] = [
  {
    op: 'rmsNorm',
    shapes: { x: [b, t, h] },
    fused: () => fusedRmsNorm(I.x, I.w, eps),
    reference: () => rmsNormReference(I.x, I.w, eps),
  },
  {
    op: 'rope',
    shapes: { x: [b, nh, t, d], cos: [b, 1, t, d] },
    fused: () => fusedRope(I.xh, I.cos, I.sin),
    reference: () => ropeReference(I.xh, I.cos, I.sin),
  },
  {
    op: 'ropeAt',
    shapes: { x: [b, nh, t, d], positions: [b, t] },
    fused: () => fusedRopeAt(I.xh, I.positions, 1e6),
    reference: () => ropeAtReference(I.xh, I.positions, 1e6),
  },
  {
    op: 'swiGlu',
    shapes: { gate: [b, t, inter] },
    fused: () => fusedSwiGlu(I.gate, I.up),
    reference: () => swiGluReference(I.gate, I.up),
  },
  {
    op: 'logProbGather',
    shapes: { logits: [rows, vocab] },
    fused: () => logProbGather(I.logits, I.ids),
    reference: () => logProbGatherReference(I.logits, I.ids),
  },
  {
    op: 'sampleTokens-t1',
    shapes: { logits: [b, vocab] },
    fused: () => {
      const r = sampleTokens(I.sampleLogits, { temperature: 1, uniforms: I.u });
      return [r.logprobs, r.ids];
    },
    reference: () => {
      const ids = sampleIdsReference(I.sampleLogits, I.u, 1);
      return [logProbGatherReference(I.sampleLogits, ids), ids];
    },
  },
  {
    op: 'sampleTokens-greedy',
    shapes: { logits: [b, vocab] },
    fused: () => {
      const r = sampleTokens(I.sampleLogits, { temperature: 0 });
      return [r.logprobs, r.ids];
    },
    reference: () => {
      const ids = sampleIdsReference(I.sampleLogits, I.u, 0);
      return [logProbGatherReference(I.sampleLogits, ids), ids];
    },
  },
  {
    op: 'decodeAttention',
    shapes: { q: [b, nh, 1, d], k: [b, kvh, s, d] },
    fused: () => decodeAttention(I.q, I.k, I.v, I.bias, scale),
    reference: () => decodeAttentionReference(I.q, I.k, I.v, I.bias, scale),
  },
];

for (const c of cases) {
  try {
    const fused = await bench(c.fused, args.runs, args.iters);
    const reference = await bench(c.reference, args.runs, args.iters);
    const agree = await agreement(c);
    const fm = median(fused);
    const rm = median(reference);
    console.log(
      JSON.stringify({
        op: c.op,
        backend: info.name,
        adapter: info.adapter?.description ?? null,
        shapes: c.shapes,
        fusedMs: Number(fm.toFixed(3)),
        referenceMs: Number(rm.toFixed(3)),
        speedup: Number((rm / fm).toFixed(2)),
        ...agree,
        iters: args.iters,
        fusedRuns: fused.map((x) => Number(x.toFixed(3))),
        referenceRuns: reference.map((x) => Number(x.toFixed(3))),
      }),
    );
  } catch (e) {
    console.log(
      JSON.stringify({ op: c.op, backend: info.name, error: `${(e as Error).name}: ${(e as Error).message}` }),
    );
    process.exitCode = 1;
  }
}
tf.dispose(Object.values(inputs));
releaseWebGpu();
