// Tensor-core (WGSL subgroup-matrix) GEMM on the GPU, one program (issue 21), < 5 minutes on an H200:
//   1. features: adapter, subgroup-matrix configs, limits; compile check of every kernel variant x precision x layout;
//   2. GEMM TFLOP/s at S^3 (default 4096) per precision mode and kernel variant, layouts NN / NT / TN;
//   3. error against a float64 reference at K = 4096, max |C - C64| / (‖a_i‖·‖b_j‖), random and large-range rows
//      (rows of A scaled 1e-3..1e4), per mode and variant, and the fp32 mode's bit-identity to the path without
//      the tensor-core hook;
//   4. the sweep over B1/B2's GEMM shapes (bench/matmul.ts' SHAPES) per tensor-core precision: the SIMT GEMM and
//      every variant, the fastest kept; writes the selection table @magic/tensor reads
//      (copy $OUT/sweep-table.json to packages/tensor/src/fused/tensor-core/sweep-table.json, and
//      $OUT/tensor-cores.json to bench/results/);
//   5. logits of a random Qwen2.5-0.5B-shape model on 8 x 256 tokens, max |Δlogit| / max |logit| against the fp32
//      mode, with each precision's fastest variant at S^3 forced for every matmul (target <= 2e-2).
// GPU: node scripts/device-bundle.mjs bench/tensor-cores.ts .bundle/tensor-cores.mjs, then on the machine
//   bash bench/device-run.sh tensor-cores   (docs/gpu.md, "Tensor cores").
// CPU smoke run of this program (emulated kernels on the software adapter, shapes divided by 32):
//   MAGIC_ALLOW_SOFTWARE_WEBGPU=1 npx tsx bench/tensor-cores.ts --emulate 1 --scale 32 --out /tmp/tc
// Flags: --out DIR (default ./bench-out), --size S, --runs R, --iters I, --tokens T (rows of the training shapes,
// default 4096 = B2's micro-batch of 16 x 256), --budget SECONDS (the sweep stops there, default 180), --scale s.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CausalLM } from '@magic/lm';
import { initBackend, initBackendOptionsFromEnv, type MatmulPrecision, releaseWebGpu } from '@magic/tensor';
import { gemmReference64, normalizedErrorAgainst } from '@magic/tensor/testing';
import {
  configureTensorCoreGemm,
  type SweepEntry,
  type SweepTable,
  standaloneTensorCoreModule,
  sweepTableSchema,
  TC_VARIANT_NAMES,
  TC_VARIANTS,
  type TcVariantName,
  tensorCoreStatus,
  variantFor,
  webGpuDevice,
} from '@magic/tensor/webgpu';
import * as tf from '@tensorflow/tfjs-core';
// the hook itself, to compare the fp32 mode with the GEMM path that has no tensor-core hook at all
import { setTensorCoreGemm } from '../packages/tensor/src/fused/matmul.js';
import { chooseTensorCoreConfig, runTensorCoreGemm } from '../packages/tensor/src/fused/tensor-core/run.js';
import { flagPairs, median, positiveIntFlag, randomIds } from './lm-args.js';

const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const opts = { out: './bench-out', size: 4096, runs: 3, iters: 5, tokens: 4096, budget: 180, scale: 1, emulate: 0 };
for (const [key, value] of flagPairs(process.argv.slice(2))) {
  if (key === 'out') opts.out = value;
  else if (key in opts) (opts as Record<string, number | string>)[key] = positiveIntFlag(key, value, key === 'emulate');
  else throw new Error(`unknown option --${key} (known: ${Object.keys(opts).join(', ')})`);
}
mkdirSync(opts.out, { recursive: true });
const records: Record<string, unknown>[] = [];
const emit = (r: Record<string, unknown>) => {
  records.push(r);
  console.log(JSON.stringify(r));
};
const round = (x: number, d = 3) => Number(x.toFixed(d));

type Layout = 'NN' | 'NT' | 'TN';
const LAYOUTS: Layout[] = ['NN', 'NT', 'TN'];
const tr = (l: Layout) => ({ transposeA: l[0] === 'T', transposeB: l[1] === 'T' });
const TC_MODES = ['f16', 'split-f16'] as const;

// ---- 1. features ----
const info = await initBackend({ ...initBackendOptionsFromEnv(process.env), device: 'webgpu', matmulPrecision: 'f16' });
const device = webGpuDevice() as {
  features: Set<string>;
  limits: Record<string, number>;
  pushErrorScope(f: string): void;
  popErrorScope(): Promise<{ message: string } | null>;
  createShaderModule(d: { code: string }): {
    getCompilationInfo(): Promise<{ messages: { type: string; message: string }[] }>;
  };
  createComputePipelineAsync(d: unknown): Promise<unknown>;
};
const emulate = opts.emulate === 1;
if (emulate) configureTensorCoreGemm({ precision: 'f16', emulate: true });
const status = tensorCoreStatus();
emit({
  op: 'tc-features',
  adapter: info.adapter ?? null,
  matmul: info.matmul ?? null,
  status,
  deviceFeatures: [...device.features].sort(),
  limits: Object.fromEntries(
    ['maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBufferBindingSize'].map((k) => [
      k,
      device.limits[k],
    ]),
  ),
  emulate,
});
const tcUsable = status.support.available || emulate;

/** Variants that compile (and build a pipeline), per precision and layout. */
const compiles = new Set<string>();
const ckey = (name: string, p: string, l: Layout) => `${name}|${p}|${l}`;
// modules are parsed one by one (synchronously, inside an error scope); the pipelines compile in parallel
const pending: Promise<void>[] = [];
/** Compiler warnings (e.g. the deprecation of subgroupMatrixLoad/Store, which may name the successor). */
const warnings = new Set<string>();
for (const p of TC_MODES) {
  for (const name of TC_VARIANT_NAMES) {
    for (const l of LAYOUTS) {
      if (!tcUsable) continue;
      if (emulate) {
        compiles.add(ckey(name, p, l));
        continue;
      }
      const code = standaloneTensorCoreModule({ ...variantFor(name, p), ...tr(l), bias: false, emulate: false });
      device.pushErrorScope('validation');
      const mod = device.createShaderModule({ code });
      const scope = device.popErrorScope();
      pending.push(
        (async () => {
          const errors: string[] = [];
          const [ci, err] = await Promise.all([mod.getCompilationInfo(), scope]);
          errors.push(...ci.messages.filter((m) => m.type === 'error').map((m) => m.message.slice(0, 300)));
          for (const m of ci.messages) if (m.type === 'warning') warnings.add(m.message.slice(0, 300));
          if (err) errors.push(err.message.slice(0, 300));
          if (errors.length === 0) {
            try {
              await device.createComputePipelineAsync({
                layout: 'auto',
                compute: { module: mod, entryPoint: '_start' },
              });
            } catch (e) {
              errors.push(String((e as Error).message ?? e).slice(0, 300));
            }
          }
          if (errors.length === 0) compiles.add(ckey(name, p, l));
          else emit({ op: 'tc-compile', variant: name, precision: p, layout: l, errors });
        })(),
      );
    }
  }
}
await Promise.all(pending);
emit({
  op: 'tc-compile-summary',
  warnings: [...warnings].slice(0, 8),
  compiled: compiles.size,
  of: TC_MODES.length * TC_VARIANT_NAMES.length * 3,
  seconds: round(elapsed(), 1),
});
const sharedLimit = device.limits.maxComputeWorkgroupStorageSize ?? 16384;
/** Whether the forced variant really runs for a problem (else its timing would be the SIMT GEMM's). */
function runsOnTensorCores(
  precision: MatmulPrecision,
  variant: TcVariantName,
  q: { m: number; n: number; k: number; transposeA: boolean; transposeB: boolean },
): boolean {
  const prev = configureTensorCoreGemm({ precision, variant, emulate });
  try {
    return chooseTensorCoreConfig({ ...q, bias: false }, sharedLimit) !== undefined;
  } finally {
    configureTensorCoreGemm(prev);
  }
}

// ---- timing helpers ----
/** Wall ms per call: `iters` calls queued back to back, then one read-back of one element of the last output. */
async function timeOnce(fn: () => tf.Tensor, iters: number): Promise<number> {
  const start = performance.now();
  let probe: tf.Tensor | undefined;
  for (let i = 0; i < iters; i++) {
    probe?.dispose();
    probe = tf.tidy(() => tf.slice(tf.reshape(fn(), [-1]), [0], [1]));
  }
  await probe!.data();
  probe!.dispose();
  return (performance.now() - start) / iters;
}
async function timeMs(fn: () => tf.Tensor): Promise<number> {
  await timeOnce(fn, 1);
  const times: number[] = [];
  for (let r = 0; r < opts.runs; r++) times.push(await timeOnce(fn, opts.iters));
  return median(times);
}
/** Runs `fn` with the given precision and forced variant (undefined variant in fp32: the SIMT GEMM). */
async function withMode<T>(p: MatmulPrecision, variant: TcVariantName | undefined, fn: () => Promise<T>): Promise<T> {
  const prev = configureTensorCoreGemm({ precision: p, variant, emulate });
  try {
    return await fn();
  } finally {
    configureTensorCoreGemm(prev);
  }
}
/** Precision x variant combinations to measure for a layout (fp32 first). */
function modes(l: Layout): { precision: MatmulPrecision; variant?: TcVariantName }[] {
  const out: { precision: MatmulPrecision; variant?: TcVariantName }[] = [{ precision: 'fp32' }];
  for (const precision of TC_MODES) {
    for (const variant of TC_VARIANT_NAMES) {
      // split-f16 runs the promote variants with f32 accumulation: the same kernels as their plain twins
      if (precision === 'split-f16' && TC_VARIANTS[variant].accumulate !== 'f32') continue;
      if (compiles.has(ckey(variant, precision, l))) out.push({ precision, variant });
    }
  }
  return out;
}
const sc = (x: number) => Math.max(16, Math.round(x / opts.scale));

// ---- 2. GEMM TFLOP/s at S^3 ----
const S = sc(opts.size);
/** Fastest variant per tensor-core precision at S^3 (summed over layouts): the logits check (5.) runs it. */
const gemmMs = new Map<string, number>();
for (const l of LAYOUTS) {
  const { transposeA, transposeB } = tr(l);
  const a = tf.randomNormal([S, S], 0, 1, 'float32', 1);
  const b = tf.randomNormal([S, S], 0, 1, 'float32', 2);
  for (const m of modes(l)) {
    if (m.variant && !runsOnTensorCores(m.precision, m.variant, { m: S, n: S, k: S, transposeA, transposeB })) {
      emit({
        op: 'tc-gemm',
        size: S,
        layout: l,
        precision: m.precision,
        variant: m.variant,
        skipped: 'not selectable',
      });
      continue;
    }
    const ms = await withMode(m.precision, m.variant, () => timeMs(() => tf.matMul(a, b, transposeA, transposeB)));
    if (m.variant) gemmMs.set(`${m.precision}|${m.variant}`, (gemmMs.get(`${m.precision}|${m.variant}`) ?? 0) + ms);
    emit({
      op: 'tc-gemm',
      size: S,
      layout: l,
      precision: m.precision,
      variant: m.variant ?? 'simt',
      ms: round(ms),
      tflops: round((2 * S ** 3) / (ms * 1e-3) / 1e12, 2),
    });
  }
  tf.dispose([a, b]);
}

// ---- 3. error against float64 at K = 4096 ----
function seeded(seed: number, count: number): Float32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return Float32Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next()));
}
{
  const EM = sc(256);
  const EN = sc(256);
  const EK = 4096;
  const bData = seeded(2, EK * EN);
  const random = seeded(1, EM * EK);
  const wide = random.map((v, i) => v * 10 ** (-3 + (7 * Math.floor(i / EK)) / (EM - 1)));
  for (const [inputs, aData] of [
    ['random', random],
    ['rows 1e-3..1e4', wide],
  ] as const) {
    const a = tf.tensor2d(aData, [EM, EK]);
    const b = tf.tensor2d(bData, [EK, EN]);
    const ref = gemmReference64(
      (i, k) => aData[i * EK + k]!,
      (k, j) => bData[k * EN + j]!,
      EM,
      EN,
      EK,
    );
    const errorOf = async (): Promise<{ err: number; data: Float32Array }> => {
      const c = tf.matMul(a, b);
      const data = (await c.data()) as Float32Array;
      c.dispose();
      return { err: normalizedErrorAgainst(data, ref), data };
    };
    const fp32 = await withMode('fp32', undefined, errorOf);
    // the fp32 mode against the same GEMM with the tensor-core hook gone: bit-identical
    setTensorCoreGemm(undefined);
    const plain = await withMode('fp32', undefined, errorOf);
    setTensorCoreGemm(runTensorCoreGemm);
    emit({
      op: 'tc-error',
      inputs,
      m: EM,
      n: EN,
      k: EK,
      precision: 'fp32',
      variant: 'simt',
      normalizedError: fp32.err,
      log2: round(Math.log2(fp32.err), 2),
      bitIdenticalToPlainPath: Buffer.from(fp32.data.buffer).equals(Buffer.from(plain.data.buffer)),
    });
    for (const m of modes('NN').slice(1)) {
      if (!runsOnTensorCores(m.precision, m.variant!, { m: EM, n: EN, k: EK, transposeA: false, transposeB: false })) {
        continue;
      }
      const { err } = await withMode(m.precision, m.variant, errorOf);
      emit({
        op: 'tc-error',
        inputs,
        m: EM,
        n: EN,
        k: EK,
        precision: m.precision,
        variant: m.variant,
        normalizedError: err,
        log2: round(Math.log2(err), 2),
        pass: m.precision === 'f16' ? err <= 2 ** -10 : err <= 2 ** -18,
        ...(emulate
          ? { note: 'emulated on llvmpipe, which stops loops at 65535 iterations: deep K is cut short' }
          : {}),
      });
    }
    tf.dispose([a, b]);
  }
}

// ---- 4. sweep over B1/B2's shapes -> selection table ----
type Shape = [m: number, k: number, n: number, tA: boolean, tB: boolean, kind: 'decode' | 'train'];
/** bench/matmul.ts' SHAPES (Qwen2.5-0.5B: decode at 64 rows, training at one micro-batch of tokens, the head). */
const SHAPES: Shape[] = [
  [64, 896, 896, false, true, 'decode'],
  [64, 896, 4864, false, true, 'decode'],
  [64, 4864, 896, false, true, 'decode'],
  [64, 896, 151936, false, true, 'decode'],
  [4096, 896, 4864, false, true, 'train'],
  [4096, 4864, 896, false, true, 'train'],
  [896, 4096, 4864, true, false, 'train'],
  [4864, 4096, 896, true, false, 'train'],
  [896, 4096, 896, true, false, 'train'],
  [128, 4096, 896, true, false, 'train'],
  [4096, 896, 896, false, true, 'train'],
  [4096, 896, 128, false, true, 'train'],
  [4096, 896, 1152, false, true, 'train'],
  [4096, 896, 9728, false, true, 'train'],
  [4096, 4864, 896, false, false, 'train'],
  [441, 896, 151936, false, true, 'train'],
  [441, 151936, 896, false, false, 'train'],
  [151936, 441, 896, true, false, 'train'],
];
const entries: SweepEntry[] = [];
let truncated = false;
for (const [m1, k1, n1, tA, tB, kind] of SHAPES) {
  if (elapsed() > opts.budget) {
    truncated = true;
    break;
  }
  const [m, k, n] = [m1, k1, n1].map((x) => sc(kind === 'train' && x === 4096 ? opts.tokens : x)) as [
    number,
    number,
    number,
  ];
  const layout = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}` as Layout;
  const a = tf.randomNormal(tA ? [k, m] : [m, k], 0, 1, 'float32', 1);
  const b = tf.randomNormal(tB ? [n, k] : [k, n], 0, 1, 'float32', 2);
  const fn = () => tf.matMul(a, b, tA, tB);
  const flops = 2 * m * n * k;
  const tflops = (ms: number) => round(flops / (ms * 1e-3) / 1e12, 2);
  const simtMs = await withMode('fp32', undefined, () => timeMs(fn));
  emit({ op: 'tc-sweep', shape: { m, k, n, layout }, precision: 'fp32', variant: 'simt', tflops: tflops(simtMs) });
  for (const precision of TC_MODES) {
    let best: { variant: TcVariantName; ms: number } | undefined;
    for (const variant of TC_VARIANT_NAMES) {
      if (precision === 'split-f16' && TC_VARIANTS[variant].accumulate !== 'f32') continue;
      if (!compiles.has(ckey(variant, precision, layout))) continue;
      if (!runsOnTensorCores(precision, variant, { m, n, k, transposeA: tA, transposeB: tB })) continue;
      const ms = await withMode(precision, variant, () => timeMs(fn));
      emit({ op: 'tc-sweep', shape: { m, k, n, layout }, precision, variant, tflops: tflops(ms) });
      if (!best || ms < best.ms) best = { variant, ms };
    }
    if (!tcUsable) continue;
    entries.push({
      precision,
      m,
      n,
      k,
      transposeA: tA,
      transposeB: tB,
      variant: best && best.ms < simtMs ? best.variant : null,
      ...(best ? { tflops: tflops(best.ms) } : {}),
      simtTflops: tflops(simtMs),
    });
  }
  tf.dispose([a, b]);
}

// ---- 5. logits of a random Qwen2.5-0.5B-shape model, 8 x 256 tokens: max |Δlogit| / max |logit| vs fp32 ----
{
  const preset = emulate ? 'tiny' : 'qwen2.5-0.5b';
  const lm = await CausalLM.fromPreset(preset, { seed: 0 });
  const [B, T] = emulate ? [2, 16] : [8, 256];
  const vocab = Math.min(lm.config.vocabSize, lm.tokenizer.vocabSize);
  const ids = tf.tensor2d(randomIds(B * T, 0, vocab, 7), [B, T], 'int32');
  const mask = tf.ones([B, T], 'int32') as tf.Tensor2D;
  const ref = await withMode('fp32', undefined, async () => lm.logits(ids, mask));
  const refMax = (await tf.tidy(() => tf.max(tf.abs(ref))).data())[0]!;
  for (const precision of TC_MODES) {
    const ranked = TC_VARIANT_NAMES.filter((v) => gemmMs.has(`${precision}|${v}`)).sort(
      (x, y) => gemmMs.get(`${precision}|${x}`)! - gemmMs.get(`${precision}|${y}`)!,
    );
    const variant = ranked[0];
    if (!variant) continue;
    const got = await withMode(precision, variant, async () => lm.logits(ids, mask));
    const diff = (await tf.tidy(() => tf.max(tf.abs(tf.sub(got, ref)))).data())[0]!;
    got.dispose();
    emit({
      op: 'tc-logits',
      preset,
      tokens: [B, T],
      precision,
      variant,
      maxAbsLogit: round(refMax, 4),
      relMaxDiff: diff / refMax,
      pass: diff / refMax <= 2e-2,
    });
  }
  tf.dispose([ids, mask, ref]);
  lm.dispose();
}

const date = new Date().toISOString().slice(0, 10);
const table: SweepTable = sweepTableSchema.parse({
  measuredOn: emulate ? null : date,
  device: `${info.adapter?.vendor ?? ''} ${info.adapter?.description ?? info.adapter?.device ?? ''}`.trim(),
  source: `bench/results/${date}-tensor-cores.json`,
  entries: emulate ? [] : entries,
});
writeFileSync(join(opts.out, 'sweep-table.json'), `${JSON.stringify(table, null, 2)}\n`);
writeFileSync(
  join(opts.out, 'tensor-cores.json'),
  `${JSON.stringify({ date, seconds: round(elapsed(), 1), truncated, opts, records, table }, null, 1)}\n`,
);
emit({ op: 'tc-done', seconds: round(elapsed(), 1), truncated, entries: entries.length, out: opts.out });
releaseWebGpu();
