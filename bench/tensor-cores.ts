// Tensor-core (WGSL subgroup-matrix) GEMM on the GPU, one program (issue 21), about 5 minutes on an H200. Every
// step is guarded: a failing variant or step is reported (JSON line) and the others go on.
//   1. features (adapter, subgroup-matrix configs, limits); compile status of every kernel variant x precision
//      (x layout for the workgroup-staged kernels) as a standalone module;
//   2. matrix probes (raw WebGPU, no tfjs): one workgroup's fragments loaded from storage (the direct kernel, each
//      fragment shape) and from workgroup memory (row strides 16 / 24 / 40, with and without a 4-byte variable
//      declared first), exact small-integer products compared with the CPU: where a wrong product comes from;
//   3. correctness through tf.matMul at small shapes (64^3 NN / NT / TN / TT, batched, odd shape with a bias)
//      for every variant x precision against a float64 CPU product; variants that fail are left out of 4-7;
//   4. GEMM TFLOP/s at S^3 (default 4096) per layout, the fp32 SIMT GEMM first;
//   5. error against float64 at K = 4096, max |C - C64| / (‖a_i‖·‖b_j‖), random and large-range rows (1e-3..1e4),
//      and the fp32 mode's bit-identity to the path without the tensor-core hook;
//   6. the sweep over B1/B2's GEMM shapes (the fastest variants of 4.), writes the selection table
//      ($OUT/sweep-table.json -> packages/tensor/src/fused/tensor-core/sweep-table.json;
//      $OUT/tensor-cores.json -> bench/results/);
//   7. logits of a random Qwen2.5-0.5B-shape model on 8 x 256 random token ids (no tokenizer), max |Δlogit| /
//      max |logit| against the fp32 mode, per precision with its fastest correct variant (target <= 2e-2).
// GPU: bash scripts/device-pack.sh tensor-cores, then on the machine
//   source .device-kit/setup.sh && bash bench/device-run.sh tensor-cores   (docs/gpu.md, "Tensor cores").
// CPU smoke run (emulated kernels on the software adapter, shapes divided by 32, no raw probes):
//   MAGIC_ALLOW_SOFTWARE_WEBGPU=1 npx tsx bench/tensor-cores.ts --emulate 1 --scale 32 --out /tmp/tc
// Flags: --out DIR (default ./bench-out), --tag T (results file bench/results/<date>-tensor-cores-<T>.json, named
// in the sweep table), --variants a,b (a subset of the variants), --size S, --runs R, --iters I, --tokens T (rows of the training shapes,
// default 4096), --budget SECONDS (the sweep stops there, default 230), --scale s, --top n (variants per precision
// in the sweep, default 4).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { CausalLM, PRESET_CONFIGS, Tokenizer } from '@magic/lm';
import { initBackend, initBackendOptionsFromEnv, type MatmulPrecision, releaseWebGpu } from '@magic/tensor';
import { gemmReference64, normalizedErrorAgainst } from '@magic/tensor/testing';
import {
  configureTensorCoreGemm,
  type SweepEntry,
  type SweepTable,
  standaloneTensorCoreModule,
  sweepTableSchema,
  TC_SWEEP_VARIANTS,
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
import { DIRECT_UNIFORMS, standaloneDirectModule } from '../packages/tensor/src/fused/tensor-core/direct-wgsl.js';
import { ROUND_F16_WGSL } from '../packages/tensor/src/fused/tensor-core/f16.js';
import type { TensorCoreKernelConfig } from '../packages/tensor/src/fused/tensor-core/kernel-wgsl.js';
import {
  directProbeConfig,
  directProbeUniforms,
  matMulF32,
  type RawDevice,
  runRawWorkgroup,
} from '../packages/tensor/src/fused/tensor-core/raw-run.js';
import { chooseTensorCoreConfig, runTensorCoreGemm } from '../packages/tensor/src/fused/tensor-core/run.js';
import { standaloneTileModule } from '../packages/tensor/src/fused/tensor-core/tile-wgsl.js';
import { flagPairs, median, positiveIntFlag, randomIds } from './lm-args.js';
import { tensorOpTimes } from './tensor-op-times.js';

const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const opts = {
  out: './bench-out',
  size: 4096,
  runs: 3,
  iters: 10,
  tokens: 4096,
  budget: 230,
  scale: 1,
  emulate: 0,
  top: 4,
  variants: '',
  /** Names the results file the sweep table cites as its source: bench/results/<date>-tensor-cores-<tag>.json. */
  tag: '',
};
for (const [key, value] of flagPairs(process.argv.slice(2))) {
  if (key === 'out' || key === 'variants' || key === 'tag') opts[key] = value;
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
const date = new Date().toISOString().slice(0, 10);
let table: SweepTable = { measuredOn: null, device: '', source: '', entries: [] };
let truncated = false;
/** Writes what is known so far (after every step: a timeout still leaves the earlier steps' results). */
function save() {
  writeFileSync(join(opts.out, 'sweep-table.json'), `${JSON.stringify(table, null, 2)}\n`);
  writeFileSync(
    join(opts.out, 'tensor-cores.json'),
    `${JSON.stringify({ date, seconds: round(elapsed(), 1), truncated, opts, records, table }, null, 1)}\n`,
  );
}
const message = (e: unknown) => String((e as Error)?.message ?? e).slice(0, 400);

type Layout = 'NN' | 'NT' | 'TN' | 'TT';
const LAYOUTS: Layout[] = ['NN', 'NT', 'TN'];
const tr = (l: Layout) => ({ transposeA: l[0] === 'T', transposeB: l[1] === 'T' });
const TC_MODES = ['f16', 'split-f16'] as const;
type TcMode = (typeof TC_MODES)[number];
const emulate = opts.emulate === 1;
/** Direct and tiled kernels run one matrix kernel for every layout (the staging programs transpose). */
const isDirect = (v: TcVariantName) => {
  const x: { direct?: boolean; tiled?: boolean } = TC_VARIANTS[v];
  return x.direct === true || x.tiled === true;
};
const isTiled = (v: TcVariantName) => (TC_VARIANTS[v] as { tiled?: boolean }).tiled === true;
/** The variants this run measures (--variants a,b,c: a subset, e.g. for the CPU smoke run). */
const VARIANTS = opts.variants
  ? TC_VARIANT_NAMES.filter((v) => opts.variants.split(',').includes(v))
  : TC_SWEEP_VARIANTS;

// ---- 1. features, compile status ----
const backendOpts = { ...initBackendOptionsFromEnv(process.env), device: 'webgpu', matmulPrecision: 'f16' } as const;
let info = await initBackend(backendOpts);
interface Dev extends RawDevice {
  features: Set<string>;
  limits: Record<string, number>;
  createShaderModule(d: { code: string }): {
    getCompilationInfo(): Promise<{ messages: { type: string; message: string }[] }>;
  };
}
const device = () => webGpuDevice() as unknown as Dev;
/** After a WebGPU error the backend is poisoned (docs/gpu.md): start a fresh device. */
async function restartBackend(why: string) {
  emit({ op: 'tc-restart-backend', why: why.slice(0, 300), at: round(elapsed(), 1) });
  releaseWebGpu();
  info = await initBackend(backendOpts);
}
if (emulate) configureTensorCoreGemm({ precision: 'f16', emulate: true });
const status = tensorCoreStatus();
emit({
  op: 'tc-features',
  adapter: info.adapter ?? null,
  matmul: info.matmul ?? null,
  status,
  deviceFeatures: [...device().features].sort(),
  limits: Object.fromEntries(
    ['maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBufferBindingSize'].map((k) => [
      k,
      device().limits[k],
    ]),
  ),
  emulate,
});
const tcUsable = status.support.available || emulate;

/** Variants that compiled, as `variant|precision|layout` (direct kernels: every layout, one matrix kernel). */
const compiles = new Set<string>();
const ckey = (name: string, p: string, l: Layout) => `${name}|${p}|${l}`;
const warnings = new Set<string>();
/** Compiles a module and a pipeline; returns the errors (empty: it compiled). */
async function compileErrors(code: string): Promise<string[]> {
  const dev = device();
  const errors: string[] = [];
  dev.pushErrorScope('validation');
  const mod = dev.createShaderModule({ code });
  const scope = dev.popErrorScope();
  const [ci, err] = await Promise.all([mod.getCompilationInfo(), scope]);
  errors.push(...ci.messages.filter((m) => m.type === 'error').map((m) => m.message.slice(0, 300)));
  for (const m of ci.messages) if (m.type === 'warning') warnings.add(m.message.slice(0, 300));
  if (err) errors.push(err.message.slice(0, 300));
  if (errors.length === 0) {
    try {
      await dev.createComputePipelineAsync({ layout: 'auto', compute: { module: mod, entryPoint: '_start' } });
    } catch (e) {
      errors.push(message(e));
    }
  }
  return errors;
}
if (tcUsable) {
  const pending: Promise<void>[] = [];
  for (const p of TC_MODES) {
    for (const name of VARIANTS) {
      const layouts: Layout[] = isDirect(name) ? ['NN'] : LAYOUTS;
      for (const l of layouts) {
        const all = isDirect(name) ? LAYOUTS : [l];
        if (emulate) {
          for (const x of all) compiles.add(ckey(name, p, x));
          continue;
        }
        const cfg: TensorCoreKernelConfig = { ...variantFor(name, p), ...tr(l), bias: false, emulate: false };
        const code = isTiled(name)
          ? standaloneTileModule(cfg, DIRECT_UNIFORMS)
          : isDirect(name)
            ? standaloneDirectModule(cfg)
            : standaloneTensorCoreModule(cfg);
        pending.push(
          compileErrors(code)
            .then((errors) => {
              if (errors.length === 0) for (const x of all) compiles.add(ckey(name, p, x));
              emit({
                op: 'tc-compile',
                variant: name,
                precision: p,
                layout: isDirect(name) ? 'any' : l,
                ok: !errors.length,
                errors,
              });
            })
            .catch((e) =>
              emit({ op: 'tc-compile', variant: name, precision: p, layout: l, ok: false, errors: [message(e)] }),
            ),
        );
      }
    }
  }
  await Promise.all(pending);
}
emit({
  op: 'tc-compile-summary',
  warnings: [...warnings].slice(0, 8),
  compiled: compiles.size,
  of: TC_MODES.length * VARIANTS.length * LAYOUTS.length,
  seconds: round(elapsed(), 1),
});
save();

// ---- 2. matrix probes: exact small-integer products, fragments from storage and from workgroup memory ----
const f16Bits = (x: number) => {
  // small integers only (exact in f16): sign, exponent, 10 mantissa bits
  if (x === 0) return 0;
  const s = x < 0 ? 0x8000 : 0;
  const a = Math.abs(x);
  const e = Math.floor(Math.log2(a));
  return s | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
};
/** Runs one workgroup of a raw module; inputs as f16 (Uint16Array) or i32 (Int32Array); returns the f32 output. */
const rawRun = (code: string, inputs: (Uint16Array | Int32Array)[], outCount: number) =>
  runRawWorkgroup(
    code,
    inputs.map((data, i) => ({ data, uniform: i === inputs.length - 1 && data instanceof Int32Array })),
    outCount,
  );
function compare(got: Float32Array, want: Float32Array, cols: number) {
  const bad: [number, number, number, number][] = [];
  let wrong = 0;
  for (const [i, w] of want.entries()) {
    const g = at(got, i, 'probe output');
    if (g === w) continue;
    wrong++;
    if (bad.length < 6) bad.push([Math.floor(i / cols), i % cols, g, w]);
  }
  return { pass: wrong === 0, wrong, of: want.length, firstWrong: bad };
}
const intMat = (rows: number, cols: number, seed: number) =>
  Float32Array.from({ length: rows * cols }, (_, i) => ((i * (5 + 2 * seed) + seed) % 11) - 5);
if (status.support.available && !emulate) {
  for (const mma of [
    { m: 16, n: 8, k: 16 },
    { m: 16, n: 16, k: 16 },
    { m: 16, n: 8, k: 8 },
  ] as const) {
    try {
      const [bm, bn, kp] = [32, 2 * mma.n, 32];
      const a = intMat(bm, kp, 1);
      const b = intMat(kp, bn, 2);
      const got = await rawRun(
        standaloneDirectModule(directProbeConfig(mma, false)),
        [Uint16Array.from(a, f16Bits), Uint16Array.from(b, f16Bits), directProbeUniforms(bm, bn, kp)],
        bm * bn,
      );
      emit({
        op: 'tc-probe',
        what: 'direct kernel, fragments from storage',
        mma,
        ...compare(got, matMulF32(a, b, bm, kp, bn), bn),
      });
    } catch (e) {
      emit({ op: 'tc-probe', what: 'direct kernel, fragments from storage', mma, error: message(e) });
    }
  }
  // one 16x16 left, 16x8 right, 16x8 result, all through workgroup memory (the staged kernel's path)
  for (const [ld, lead] of [
    [16, false],
    [24, false],
    [40, false],
    [24, true],
    [40, true],
  ] as const) {
    const code = `enable f16;
enable chromium_experimental_subgroup_matrix;
@group(0) @binding(0) var<storage, read_write> result : array<f32>;
@group(0) @binding(1) var<storage, read> A : array<f16>;
@group(0) @binding(2) var<storage, read> B : array<f16>;
${lead ? 'var<workgroup> lead : i32;' : ''}
var<workgroup> As : array<f16, ${16 * ld}>;
var<workgroup> Bs : array<f16, ${16 * ld}>;
var<workgroup> Cs : array<f32, 128>;
@compute @workgroup_size(32)
fn _start(@builtin(local_invocation_index) li : u32) {
  ${lead ? 'if (li == 0u) { lead = 1; }' : ''}
  for (var i = li; i < 256u; i += 32u) { As[(i / 16u) * ${ld}u + i % 16u] = A[i]; }
  for (var i = li; i < 128u; i += 32u) { Bs[(i / 8u) * ${ld}u + i % 8u] = B[i]; }
  workgroupBarrier();
  let l = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&As, 0u, false, ${ld}u);
  let r = subgroupMatrixLoad<subgroup_matrix_right<f16, 8, 16>>(&Bs, 0u, false, ${ld}u);
  var c : subgroup_matrix_result<f32, 8, 16>;
  c = subgroupMatrixMultiplyAccumulate(l, r, c);
  subgroupMatrixStore(&Cs, 0u, c, false, 8u);
  workgroupBarrier();
  for (var i = li; i < 128u; i += 32u) { result[i] = Cs[i]${lead ? ' + f32(lead - 1)' : ''}; }
}`;
    try {
      const a = intMat(16, 16, 3);
      const b = intMat(16, 8, 4);
      const got = await rawRun(code, [Uint16Array.from(a, f16Bits), Uint16Array.from(b, f16Bits)], 128);
      emit({
        op: 'tc-probe',
        what: 'fragments through workgroup memory',
        rowStride: ld,
        leadingI32: lead,
        ...compare(got, matMulF32(a, b, 16, 16, 8), 8),
      });
    } catch (e) {
      emit({
        op: 'tc-probe',
        what: 'fragments through workgroup memory',
        rowStride: ld,
        leadingI32: lead,
        error: message(e),
      });
    }
  }
  // the staged kernel's path (wrong products on the H200 so far): operands converted from f32 storage to f16 in
  // the shader (as it does: f16(roundF16(x)), and plain f16(x)), the f32 result stored into workgroup memory at a
  // non-zero offset and stride (its epilogue) and read back by scalars; small integers times 2^0 or 2^10, so the
  // products are exact and any wrong element points at the conversion or the f32 workgroup store
  for (const [conv, pow, cOff, cStride] of [
    ['f16(roundF16(x))', 0, 0, 8],
    ['f16(roundF16(x))', 10, 0, 8],
    ['f16(x)', 10, 0, 8],
    ['f16(x)', 10, 16, 12],
    ['copy', 0, 16, 12],
  ] as const) {
    const what = 'staged-kernel path: f32 -> f16 in the shader, f32 result through workgroup memory';
    const srcType = conv === 'copy' ? 'f16' : 'f32';
    const convert = (x: string) => (conv === 'copy' ? x : conv.replace('x', x));
    const code = `enable f16;
enable chromium_experimental_subgroup_matrix;
@group(0) @binding(0) var<storage, read_write> result : array<f32>;
@group(0) @binding(1) var<storage, read> A : array<${srcType}>;
@group(0) @binding(2) var<storage, read> B : array<${srcType}>;
${ROUND_F16_WGSL}
var<workgroup> As : array<f16, ${16 * 24}>;
var<workgroup> Bs : array<f16, ${16 * 24}>;
var<workgroup> Cs : array<f32, ${cOff + 16 * cStride}>;
@compute @workgroup_size(32)
fn _start(@builtin(local_invocation_index) li : u32) {
  for (var i = li; i < 256u; i += 32u) { As[(i / 16u) * 24u + i % 16u] = ${convert('A[i]')}; }
  for (var i = li; i < 128u; i += 32u) { Bs[(i / 8u) * 24u + i % 8u] = ${convert('B[i]')}; }
  workgroupBarrier();
  let l = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&As, 0u, false, 24u);
  let r = subgroupMatrixLoad<subgroup_matrix_right<f16, 8, 16>>(&Bs, 0u, false, 24u);
  var c : subgroup_matrix_result<f32, 8, 16>;
  c = subgroupMatrixMultiplyAccumulate(l, r, c);
  subgroupMatrixStore(&Cs, ${cOff}u, c, false, ${cStride}u);
  workgroupBarrier();
  for (var i = li; i < 128u; i += 32u) { result[i] = Cs[${cOff}u + (i / 8u) * ${cStride}u + i % 8u]; }
}`;
    try {
      const a = intMat(16, 16, 5).map((x) => x * 2 ** pow);
      const b = intMat(16, 8, 6).map((x) => x * 2 ** pow);
      const input = (x: Float32Array) => (conv === 'copy' ? Uint16Array.from(x, f16Bits) : x);
      const got = await runRawWorkgroup(code, [{ data: input(a) }, { data: input(b) }], 128);
      emit({
        op: 'tc-probe',
        what,
        convert: conv,
        scale: 2 ** pow,
        cOffset: cOff,
        cStride,
        ...compare(got, matMulF32(a, b, 16, 16, 8), 8),
      });
    } catch (e) {
      emit({ op: 'tc-probe', what, convert: conv, scale: 2 ** pow, cOffset: cOff, cStride, error: message(e) });
    }
  }
  save();
}

// ---- helpers for the tf.matMul steps ----
const sharedLimit = () => device().limits.maxComputeWorkgroupStorageSize ?? 16384;
type Problem = { m: number; n: number; k: number; transposeA: boolean; transposeB: boolean };
/** Whether the forced variant really runs for a problem (else its timing would be the SIMT GEMM's). */
function runsOnTensorCores(precision: MatmulPrecision, variant: TcVariantName, q: Problem, bias = false): boolean {
  const prev = configureTensorCoreGemm({ precision, variant, emulate });
  try {
    return chooseTensorCoreConfig({ ...q, bias }, sharedLimit()) !== undefined;
  } finally {
    configureTensorCoreGemm(prev);
  }
}
/** Wall ms per call: `iters` calls queued back to back, then one read-back of one element of the last output. */
async function timeMs(fn: () => tf.Tensor): Promise<number> {
  return median(await tensorOpTimes(fn, opts.runs, opts.iters));
}
/**
 * GPU time of one call from timestamp queries (tf.time): the total over its programs (scales, staging, matrix
 * kernel, epilogue) and the largest one, the matrix kernel; undefined without timestamp queries.
 */
async function gpuTimes(
  fn: () => tf.Tensor,
): Promise<{ total: number; kernel: number; programs: number[] } | undefined> {
  const t = await tf.time(() => tf.tidy(() => void fn()));
  const extra = (t as { getExtraProfileInfo?: () => string }).getExtraProfileInfo?.() ?? '';
  const programs = [...extra.matchAll(/: ([\d.eE+-]+)/g)].map((x) => Number(x[1]));
  if (!(t.kernelMs && typeof t.kernelMs === 'number' && programs.length > 0)) return undefined;
  return { total: t.kernelMs, kernel: Math.max(...programs), programs };
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
/** Runs a step; on an error reports it, restarts the backend (a WebGPU error poisons it) and returns undefined. */
async function guard<T>(what: Record<string, unknown>, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    emit({ ...what, error: message(e) });
    await restartBackend(message(e));
    return undefined;
  }
}
const sc = (x: number) => Math.max(16, Math.round(x / opts.scale));
/**
 * Leaves NaN in pooled buffers of `count` floats: a kernel that writes nothing must not read back a stale, correct
 * product of an earlier variant (tfjs reuses freed buffers of the same size).
 */
async function poison(count: number) {
  const ts = [0, 1, 2].map(() => tf.fill([count], Number.NaN));
  await Promise.all(ts.map((t) => t.data()));
  tf.dispose(ts);
}
function seeded(seed: number, count: number): Float32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return Float32Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next()));
}
/** The variants (and their precision) that passed 3., per precision. */
const correct = new Map<TcMode, TcVariantName[]>(TC_MODES.map((p) => [p, []]));
const correctOf = (p: TcMode): TcVariantName[] => defined(correct.get(p), `correct variants of ${p}`);

// ---- 3. correctness at small shapes against a float64 CPU product ----
interface SmallCase {
  name: string;
  batch: number;
  m: number;
  n: number;
  k: number;
  layout: Layout;
  bias?: boolean;
}
const SMALL: SmallCase[] = [
  { name: '64^3 NN', batch: 1, m: 64, n: 64, k: 64, layout: 'NN' },
  { name: '64^3 NT', batch: 1, m: 64, n: 64, k: 64, layout: 'NT' },
  { name: '64^3 TN', batch: 1, m: 64, n: 64, k: 64, layout: 'TN' },
  { name: '64^3 TT', batch: 1, m: 64, n: 64, k: 64, layout: 'TT' },
  { name: 'batched 3 x 40x48x72 NT', batch: 3, m: 40, n: 48, k: 72, layout: 'NT' },
  { name: 'odd 70x45x77 NN, column bias, K = 300', batch: 1, m: 70, n: 45, k: 300, layout: 'NN', bias: true },
];
/** An operand's tfjs shape: rows x cols, transposed as stored, with the batch in front when there is one. */
const operandShape = (batch: number, transposed: boolean, rows: number, cols: number) => {
  const shape = transposed ? [cols, rows] : [rows, cols];
  return batch > 1 ? [batch, ...shape] : shape;
};
if (tcUsable) {
  const prepared = SMALL.map((c) => {
    const { transposeA, transposeB } = tr(c.layout);
    const a = seeded(11, c.batch * c.m * c.k);
    const b = seeded(12, c.batch * c.k * c.n);
    const bias = c.bias ? seeded(13, c.n) : undefined;
    const aAt = (bt: number, i: number, x: number) =>
      at(a, bt * c.m * c.k + (transposeA ? x * c.m + i : i * c.k + x), 'A');
    const bAt = (bt: number, x: number, j: number) =>
      at(b, bt * c.k * c.n + (transposeB ? j * c.k + x : x * c.n + j), 'B');
    const refs = Array.from({ length: c.batch }, (_, bt) => {
      const r = gemmReference64(
        (i, x) => aAt(bt, i, x),
        (x, j) => bAt(bt, x, j),
        c.m,
        c.n,
        c.k,
      );
      if (bias) {
        for (let i = 0; i < c.m; i++)
          for (let j = 0; j < c.n; j++) r.c[i * c.n + j] = at(r.c, i * c.n + j, 'C64') + at(bias, j, 'bias');
      }
      return r;
    });
    return { c, a, b, bias, refs, transposeA, transposeB };
  });
  for (const p of TC_MODES) {
    for (const name of VARIANTS) {
      if (p === 'split-f16' && TC_VARIANTS[name].accumulate !== 'f32') continue;
      if (elapsed() > opts.budget * 0.35) {
        emit({ op: 'tc-correct', variant: name, precision: p, skipped: 'time budget' });
        continue;
      }
      const results: Record<string, unknown>[] = [];
      let ok = true;
      for (const { c, a, b, bias, refs, transposeA, transposeB } of prepared) {
        const q = { m: c.m, n: c.n, k: c.k, transposeA, transposeB };
        const compiled = isDirect(name)
          ? compiles.has(ckey(name, p, 'NN'))
          : c.layout === 'TT'
            ? compiles.has(ckey(name, p, 'NT')) && compiles.has(ckey(name, p, 'TN'))
            : compiles.has(ckey(name, p, c.layout));
        if (!compiled) {
          ok = false;
          results.push({ case: c.name, skipped: 'did not compile' });
          continue;
        }
        if (!runsOnTensorCores(p, name, q, !!bias)) {
          results.push({ case: c.name, skipped: 'not selectable' });
          continue;
        }
        const got = await guard({ op: 'tc-correct', variant: name, precision: p, case: c.name }, () =>
          withMode(p, name, async () => {
            await poison(c.batch * c.m * c.n);
            const x = tf.tidy(() => {
              const ta = tf.tensor(a, operandShape(c.batch, transposeA, c.m, c.k));
              const tb = tf.tensor(b, operandShape(c.batch, transposeB, c.k, c.n));
              if (!bias) return tf.matMul(ta, tb, transposeA, transposeB);
              return tf.fused.matMul({ a: ta, b: tb, transposeA, transposeB, bias: tf.tensor1d(bias) });
            });
            const d = (await x.data()) as Float32Array;
            x.dispose();
            return d;
          }),
        );
        if (!got) {
          ok = false;
          results.push({ case: c.name, error: true });
          continue;
        }
        let err = 0;
        for (let bt = 0; bt < c.batch; bt++) {
          err = Math.max(
            err,
            normalizedErrorAgainst(got.subarray(bt * c.m * c.n, (bt + 1) * c.m * c.n), at(refs, bt, 'reference')),
          );
        }
        const limit = p === 'f16' ? 2 ** -9 : 2 ** -16;
        const pass = err <= limit;
        ok &&= pass;
        results.push({ case: c.name, normalizedError: err, log2: round(Math.log2(err), 2), pass });
      }
      // a variant that ran no case (not selectable: workgroup memory, configs) is not called correct
      const ran = results.some((r) => r.pass === true);
      if (ok && ran) correctOf(p).push(name);
      emit({ op: 'tc-correct', variant: name, precision: p, pass: ok && ran, results });
    }
  }
  emit({ op: 'tc-correct-summary', correct: Object.fromEntries(correct), seconds: round(elapsed(), 1) });
  save();
}

// ---- 4. GEMM TFLOP/s at S^3 ----
const S = sc(opts.size);
/** ms at S^3 NT per precision|variant: ranks the variants for 5.-7. */
const gemmMs = new Map<string, number>();
/** Correct variants of a precision, fastest first at S^3 NT (unmeasured last). */
const ranked = (p: TcMode) =>
  [...correctOf(p)].sort(
    (x, y) =>
      (gemmMs.get(`${p}|${x}`) ?? Number.POSITIVE_INFINITY) - (gemmMs.get(`${p}|${y}`) ?? Number.POSITIVE_INFINITY),
  );
// every correct variant on NT (most training shapes); NN and TN only for the three fastest of each precision
for (const l of ['NT', 'NN', 'TN'] as const) {
  if (elapsed() > opts.budget * 0.55) {
    emit({ op: 'tc-gemm', layout: l, skipped: 'time budget' });
    continue;
  }
  const { transposeA, transposeB } = tr(l);
  const modes: { precision: MatmulPrecision; variant?: TcVariantName }[] = [{ precision: 'fp32' }];
  for (const p of TC_MODES) {
    for (const v of l === 'NT' ? correctOf(p) : ranked(p).slice(0, 3)) modes.push({ precision: p, variant: v });
  }
  for (const m of modes) {
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
    const ms = await guard(
      { op: 'tc-gemm', size: S, layout: l, precision: m.precision, variant: m.variant },
      async () => {
        const a = tf.randomNormal([S, S], 0, 1, 'float32', 1);
        const b = tf.randomNormal([S, S], 0, 1, 'float32', 2);
        try {
          return await withMode(m.precision, m.variant, async () => {
            const fn = () => tf.matMul(a, b, transposeA, transposeB);
            const wall = await timeMs(fn);
            return { wall, gpu: await gpuTimes(fn) };
          });
        } finally {
          tf.dispose([a, b]);
        }
      },
    );
    if (ms === undefined) continue;
    if (m.variant && l === 'NT') gemmMs.set(`${m.precision}|${m.variant}`, ms.wall);
    const tflops = (t: number) => round((2 * S ** 3) / (t * 1e-3) / 1e12, 2);
    emit({
      op: 'tc-gemm',
      size: S,
      layout: l,
      precision: m.precision,
      variant: m.variant ?? 'simt',
      ms: round(ms.wall),
      tflops: tflops(ms.wall),
      ...(ms.gpu
        ? {
            gpuMs: round(ms.gpu.total),
            programsMs: ms.gpu.programs.map((x) => round(x)),
            kernelMs: round(ms.gpu.kernel),
            kernelTflops: tflops(ms.gpu.kernel),
          }
        : {}),
    });
  }
}
emit({ op: 'tc-gemm-ranking', f16: ranked('f16'), 'split-f16': ranked('split-f16'), seconds: round(elapsed(), 1) });
save();

// ---- 5. error against float64 at K = 4096 ----
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
    const ref = gemmReference64(
      (i, k) => at(aData, i * EK + k, 'A'),
      (k, j) => at(bData, k * EN + j, 'B'),
      EM,
      EN,
      EK,
    );
    const errorOf = async (): Promise<{ err: number; data: Float32Array }> => {
      await poison(EM * EN);
      const c = tf.tidy(() => tf.matMul(tf.tensor2d(aData, [EM, EK]), tf.tensor2d(bData, [EK, EN])));
      const data = (await c.data()) as Float32Array;
      c.dispose();
      return { err: normalizedErrorAgainst(data, ref), data };
    };
    const errorRecord = (precision: string, variant: string, err: number) => ({
      op: 'tc-error',
      inputs,
      m: EM,
      n: EN,
      k: EK,
      precision,
      variant,
      normalizedError: err,
      log2: round(Math.log2(err), 2),
    });
    await guard({ op: 'tc-error', inputs, precision: 'fp32' }, async () => {
      const fp32 = await withMode('fp32', undefined, errorOf);
      // the fp32 mode against the same GEMM with the tensor-core hook gone: bit-identical
      setTensorCoreGemm(undefined);
      const plain = await withMode('fp32', undefined, errorOf).finally(() => setTensorCoreGemm(runTensorCoreGemm));
      emit({
        ...errorRecord('fp32', 'simt', fp32.err),
        bitIdenticalToPlainPath: Buffer.from(fp32.data.buffer).equals(Buffer.from(plain.data.buffer)),
      });
    });
    for (const p of TC_MODES) {
      for (const variant of ranked(p).slice(0, opts.top)) {
        if (!runsOnTensorCores(p, variant, { m: EM, n: EN, k: EK, transposeA: false, transposeB: false })) continue;
        await guard({ op: 'tc-error', inputs, precision: p, variant }, async () => {
          const { err } = await withMode(p, variant, errorOf);
          emit({
            ...errorRecord(p, variant, err),
            pass: p === 'f16' ? err <= 2 ** -10 : err <= 2 ** -18,
            ...(emulate
              ? { note: 'emulated on llvmpipe, which stops loops at 65535 iterations: deep K is cut short' }
              : {}),
          });
        });
      }
    }
  }
  save();
}

// ---- 6. sweep over B1/B2's shapes -> selection table ----
type Shape = [m: number, k: number, n: number, tA: boolean, tB: boolean, kind: 'decode' | 'train'];
/** bench/matmul.ts' SHAPES (Qwen2.5-0.5B: decode at 64 rows, training at one micro-batch of tokens, the head). */
const SHAPES: Shape[] = [
  [4096, 896, 4864, false, true, 'train'],
  [4096, 4864, 896, false, true, 'train'],
  [896, 4096, 4864, true, false, 'train'],
  [4864, 4096, 896, true, false, 'train'],
  [4096, 4864, 896, false, false, 'train'],
  [4096, 896, 896, false, true, 'train'],
  [896, 4096, 896, true, false, 'train'],
  [4096, 896, 1152, false, true, 'train'],
  [4096, 896, 9728, false, true, 'train'],
  [4096, 896, 128, false, true, 'train'],
  [128, 4096, 896, true, false, 'train'],
  [441, 896, 151936, false, true, 'train'],
  [441, 151936, 896, false, false, 'train'],
  [151936, 441, 896, true, false, 'train'],
  [64, 896, 896, false, true, 'decode'],
  [64, 896, 4864, false, true, 'decode'],
  [64, 4864, 896, false, true, 'decode'],
  [64, 896, 151936, false, true, 'decode'],
];
const entries: SweepEntry[] = [];
const writeTable = () => {
  table = sweepTableSchema.parse({
    measuredOn: emulate ? null : date,
    device: `${info.adapter?.vendor ?? ''} ${info.adapter?.description ?? info.adapter?.device ?? ''}`.trim(),
    source: `bench/results/${date}-tensor-cores${opts.tag ? `-${opts.tag}` : ''}.json`,
    entries: emulate ? [] : entries,
  });
  save();
};
for (const [m1, k1, n1, tA, tB, kind] of SHAPES) {
  if (!tcUsable) break;
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
  const flops = 2 * m * n * k;
  const tflops = (ms: number) => round(flops / (ms * 1e-3) / 1e12, 2);
  const shape = { m, k, n, layout };
  await guard({ op: 'tc-sweep', shape }, async () => {
    const a = tf.randomNormal(tA ? [k, m] : [m, k], 0, 1, 'float32', 1);
    const b = tf.randomNormal(tB ? [n, k] : [k, n], 0, 1, 'float32', 2);
    try {
      const fn = () => tf.matMul(a, b, tA, tB);
      const simtMs = await withMode('fp32', undefined, () => timeMs(fn));
      emit({ op: 'tc-sweep', shape, precision: 'fp32', variant: 'simt', tflops: tflops(simtMs) });
      for (const precision of TC_MODES) {
        let best: { variant: TcVariantName; ms: number } | undefined;
        for (const variant of ranked(precision).slice(0, opts.top)) {
          if (!runsOnTensorCores(precision, variant, { m, n, k, transposeA: tA, transposeB: tB })) continue;
          const ms = await withMode(precision, variant, () => timeMs(fn));
          emit({ op: 'tc-sweep', shape, precision, variant, tflops: tflops(ms) });
          if (!best || ms < best.ms) best = { variant, ms };
        }
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
    } finally {
      tf.dispose([a, b]);
    }
  });
  writeTable();
}
writeTable();

// ---- 7. logits of a random Qwen2.5-0.5B-shape model, 8 x 256 random ids: max |Δlogit| / max |logit| vs fp32 ----
await guard({ op: 'tc-logits' }, async () => {
  const preset = emulate ? 'tiny' : 'qwen2.5-0.5b';
  // random token ids need no tokenizer: the tiny one only satisfies the constructor (its vocab fits any preset's)
  const lm = CausalLM.fromConfig(PRESET_CONFIGS[preset], Tokenizer.tiny(), { seed: 0 });
  try {
    const [B, T] = emulate ? [2, 16] : [8, 256];
    const ids = tf.tensor2d(randomIds(B * T, 0, lm.config.vocabSize, 7), [B, T], 'int32');
    const mask = tf.ones([B, T], 'int32') as tf.Tensor2D;
    const ref = await withMode('fp32', undefined, async () => lm.logits(ids, mask));
    const refMax = at(await tf.tidy(() => tf.max(tf.abs(ref))).data(), 0, 'max |logit|');
    for (const precision of TC_MODES) {
      const variant = ranked(precision)[0];
      if (!variant) {
        emit({ op: 'tc-logits', preset, precision, skipped: 'no correct variant' });
        continue;
      }
      const got = await withMode(precision, variant, async () => lm.logits(ids, mask));
      const diff = at(await tf.tidy(() => tf.max(tf.abs(tf.sub(got, ref)))).data(), 0, 'max |Δlogit|');
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
        seconds: round(elapsed(), 1),
      });
    }
    tf.dispose([ids, mask, ref]);
  } finally {
    lm.dispose();
  }
});

emit({ op: 'tc-done', seconds: round(elapsed(), 1), truncated, entries: entries.length, out: opts.out });
save();
releaseWebGpu();
