// Provenance: copied from ../shared/device/subgroup-matrix-tiles-probe.mjs (written on the GPU machine, 2026-12-02, issue 21); run with
// DAWN_TOGGLES=vulkan_enable_f16_on_nvidia node bench/subgroup-matrix-tiles-probe.mjs after source .device-kit/setup.sh (docs/gpu.md).
// f16 cooperative-matrix GEMM tile sweep through Dawn on the GPU machine (one subgroup per workgroup,
// operands straight from global memory): how far do bigger per-subgroup tiles go? Prints JSON lines.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const out = (o) => console.log(JSON.stringify(o));
const gpu = create(['enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia']);
const ad = await gpu.requestAdapter({ powerPreference: 'high-performance' });
const dev = await ad.requestDevice({
  requiredFeatures: ['chromium-experimental-subgroup-matrix', 'shader-f16', 'subgroups'],
  requiredLimits: {
    maxStorageBufferBindingSize: ad.limits.maxStorageBufferBindingSize,
    maxBufferSize: ad.limits.maxBufferSize,
  },
});
const S = 8192;
const bufA = dev.createBuffer({ size: S * S * 2, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
const bufB = dev.createBuffer({ size: S * S * 2, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
const bufC = dev.createBuffer({ size: S * S * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
const variants = [];
for (const [R, m, n, k] of [
  ['f32', 16, 8, 16],
  ['f32', 16, 16, 16],
  ['f16', 16, 8, 16],
])
  for (const [TI, TJ] of [
    [4, 4],
    [4, 8],
    [8, 4],
    [8, 8],
    [2, 8],
  ])
    variants.push({ R, m, n, k, TI, TJ });
for (const { R, m, n, k, TI, TJ } of variants) {
  const code = `enable chromium_experimental_subgroup_matrix;\nenable f16;
@group(0) @binding(0) var<storage, read> A: array<f16>;
@group(0) @binding(1) var<storage, read> B: array<f16>;
@group(0) @binding(2) var<storage, read_write> C: array<${R}>;
@compute @workgroup_size(32)
fn main(@builtin(workgroup_id) wg: vec3u) {
  let row0 = wg.y * ${m * TI}u; let col0 = wg.x * ${n * TJ}u;
  var acc: array<subgroup_matrix_result<${R}, ${n}, ${m}>, ${TI * TJ}>;
  for (var kk = 0u; kk < ${S}u; kk += ${k}u) {
    var a: array<subgroup_matrix_left<f16, ${k}, ${m}>, ${TI}>;
    for (var i = 0u; i < ${TI}u; i++) { a[i] = subgroupMatrixLoad<subgroup_matrix_left<f16, ${k}, ${m}>>(&A, (row0 + i * ${m}u) * ${S}u + kk, false, ${S}u); }
    for (var j = 0u; j < ${TJ}u; j++) {
      let b = subgroupMatrixLoad<subgroup_matrix_right<f16, ${n}, ${k}>>(&B, kk * ${S}u + col0 + j * ${n}u, false, ${S}u);
      for (var i = 0u; i < ${TI}u; i++) { acc[i * ${TJ}u + j] = subgroupMatrixMultiplyAccumulate(a[i], b, acc[i * ${TJ}u + j]); }
    }
  }
  for (var i = 0u; i < ${TI}u; i++) { for (var j = 0u; j < ${TJ}u; j++) {
    subgroupMatrixStore(&C, (row0 + i * ${m}u) * ${S}u + col0 + j * ${n}u, acc[i * ${TJ}u + j], false, ${S}u);
  } }
}`;
  dev.pushErrorScope('validation');
  const mod = dev.createShaderModule({ code });
  const ci = await mod.getCompilationInfo();
  const msgs = ci.messages.filter((x) => x.type === 'error').map((x) => x.message.slice(0, 200));
  let pipe;
  try {
    pipe = dev.createComputePipeline({ layout: 'auto', compute: { module: mod, entryPoint: 'main' } });
  } catch (e) {
    msgs.push(String(e).slice(0, 200));
  }
  const err = await dev.popErrorScope();
  if (err || msgs.length || !pipe) {
    out({ R, m, n, k, TI, TJ, errors: msgs, err: err?.message.slice(0, 200) });
    continue;
  }
  const bg = dev.createBindGroup({
    layout: pipe.getBindGroupLayout(0),
    entries: [bufA, bufB, bufC].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const run = async (reps) => {
    const enc = dev.createCommandEncoder();
    const p = enc.beginComputePass();
    p.setPipeline(pipe);
    p.setBindGroup(0, bg);
    for (let r = 0; r < reps; r++) p.dispatchWorkgroups(S / (n * TJ), S / (m * TI));
    p.end();
    dev.queue.submit([enc.finish()]);
    await dev.queue.onSubmittedWorkDone();
  };
  await run(1);
  const t0 = performance.now();
  await run(3);
  const ms = (performance.now() - t0) / 3;
  out({ R, m, n, k, TI, TJ, S, msPerGemm: +ms.toFixed(2), tflops: +((2 * S ** 3) / ms / 1e9).toFixed(1) });
}
process.exit(0);
