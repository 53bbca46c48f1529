// Provenance: copied from ../shared/device/subgroup-matrix-probe.mjs (written on the GPU machine, 2026-12-02, issue 21); run with
// DAWN_TOGGLES=vulkan_enable_f16_on_nvidia node bench/subgroup-matrix-probe.mjs after source .device-kit/setup.sh (docs/gpu.md).
// Probe Dawn (npm webgpu) on the GPU machine: features, limits, subgroup-matrix configs, and a naive
// cooperative-matrix (tensor-core) matmul timing if the feature exists. Prints JSON lines.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const out = (o) => console.log(JSON.stringify(o));
const extra = (process.env.DAWN_TOGGLES || '').split(',').filter(Boolean);
for (const flags of [[], ['enable-dawn-features=' + ['allow_unsafe_apis', ...extra].join(',')]]) {
  const gpu = create(flags);
  const ad = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!ad) {
    out({ flags, adapter: null });
    continue;
  }
  const info = ad.info ?? {};
  const infoObj = {};
  for (const k of [
    'vendor',
    'architecture',
    'device',
    'description',
    'subgroupMinSize',
    'subgroupMaxSize',
    'isFallbackAdapter',
  ])
    infoObj[k] = info[k];
  let smc = null;
  try {
    smc = info.subgroupMatrixConfigs
      ? [...info.subgroupMatrixConfigs].map((c) => ({
          ...c,
          componentType: c.componentType,
          resultComponentType: c.resultComponentType,
          M: c.M,
          N: c.N,
          K: c.K,
        }))
      : null;
  } catch (e) {
    smc = String(e);
  }
  const lim = {};
  for (const k of [
    'maxBufferSize',
    'maxStorageBufferBindingSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
  ])
    lim[k] = ad.limits[k];
  out({ flags, info: infoObj, features: [...ad.features].sort(), limits: lim, subgroupMatrixConfigs: smc });
  if (!flags.length) continue;
  const want = ['chromium-experimental-subgroup-matrix', 'shader-f16', 'subgroups', 'timestamp-query'].filter((f) =>
    ad.features.has(f),
  );
  let dev;
  try {
    dev = await ad.requestDevice({
      requiredFeatures: want,
      requiredLimits: {
        maxStorageBufferBindingSize: ad.limits.maxStorageBufferBindingSize,
        maxBufferSize: ad.limits.maxBufferSize,
      },
    });
  } catch (e) {
    out({ requestDevice: String(e) });
    continue;
  }
  out({ deviceFeatures: [...dev.features].sort() });
  if (!dev.features.has('chromium-experimental-subgroup-matrix')) {
    out({ subgroupMatrix: 'not available' });
    continue;
  }
  // naive tensor-core GEMM: C[M,N] = A[M,K] * B[K,N], each subgroup one TMxTN tile (TM=TN=TK=config)
  const cfgs = smc?.length ? smc : [{ componentType: 'f16', resultComponentType: 'f32', M: 16, N: 16, K: 16 }];
  for (const c of cfgs) {
    if (!['f16', 'f32'].includes(c.componentType)) continue;
    const T = c.componentType,
      R = c.resultComponentType,
      m = c.M,
      n = c.N,
      k = c.K;
    const S = 4096; // square problem
    // each workgroup = 1 subgroup (32 lanes) computes a (m*4)x(n*4) block with 16 accumulators
    const code = `enable chromium_experimental_subgroup_matrix;\n${T === 'f16' || R === 'f16' ? 'enable f16;' : ''}
@group(0) @binding(0) var<storage, read> A: array<${T}>;
@group(0) @binding(1) var<storage, read> B: array<${T}>;
@group(0) @binding(2) var<storage, read_write> C: array<${R}>;
@compute @workgroup_size(32)
fn main(@builtin(workgroup_id) wg: vec3u) {
  let row0 = wg.y * ${m * 4}u; let col0 = wg.x * ${n * 4}u;
  var acc: array<subgroup_matrix_result<${R}, ${n}, ${m}>, 16>;
  for (var kk = 0u; kk < ${S}u; kk += ${k}u) {
    var a: array<subgroup_matrix_left<${T}, ${k}, ${m}>, 4>;
    var b: array<subgroup_matrix_right<${T}, ${n}, ${k}>, 4>;
    for (var i = 0u; i < 4u; i++) {
      a[i] = subgroupMatrixLoad<subgroup_matrix_left<${T}, ${k}, ${m}>>(&A, (row0 + i * ${m}u) * ${S}u + kk, false, ${S}u);
      b[i] = subgroupMatrixLoad<subgroup_matrix_right<${T}, ${n}, ${k}>>(&B, kk * ${S}u + col0 + i * ${n}u, false, ${S}u);
    }
    for (var i = 0u; i < 4u; i++) { for (var j = 0u; j < 4u; j++) {
      acc[i * 4u + j] = subgroupMatrixMultiplyAccumulate(a[i], b[j], acc[i * 4u + j]);
    } }
  }
  for (var i = 0u; i < 4u; i++) { for (var j = 0u; j < 4u; j++) {
    subgroupMatrixStore(&C, (row0 + i * ${m}u) * ${S}u + col0 + j * ${n}u, acc[i * 4u + j], false, ${S}u);
  } }
}`;
    dev.pushErrorScope('validation');
    const mod = dev.createShaderModule({ code });
    const ci = await mod.getCompilationInfo();
    const msgs = ci.messages
      .filter((x) => x.type === 'error')
      .map((x) => x.message)
      .slice(0, 3);
    let pipe;
    try {
      pipe = dev.createComputePipeline({ layout: 'auto', compute: { module: mod, entryPoint: 'main' } });
    } catch (e) {
      msgs.push(String(e));
    }
    const err = await dev.popErrorScope();
    if (err || msgs.length || !pipe) {
      out({ cfg: c, compileErrors: msgs, err: err?.message });
      continue;
    }
    const eb = T === 'f16' ? 2 : 4,
      rb = R === 'f16' ? 2 : 4;
    const bufA = dev.createBuffer({ size: S * S * eb, usage: GPUBufferUsage.STORAGE });
    const bufB = dev.createBuffer({ size: S * S * eb, usage: GPUBufferUsage.STORAGE });
    const bufC = dev.createBuffer({ size: S * S * rb, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const bg = dev.createBindGroup({
      layout: pipe.getBindGroupLayout(0),
      entries: [bufA, bufB, bufC].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const run = async (reps) => {
      const enc = dev.createCommandEncoder();
      const p = enc.beginComputePass();
      p.setPipeline(pipe);
      p.setBindGroup(0, bg);
      for (let r = 0; r < reps; r++) p.dispatchWorkgroups(S / (n * 4), S / (m * 4));
      p.end();
      dev.queue.submit([enc.finish()]);
      await dev.queue.onSubmittedWorkDone();
    };
    await run(1);
    const t0 = performance.now();
    await run(10);
    const ms = (performance.now() - t0) / 10;
    out({ cfg: c, S, msPerGemm: +ms.toFixed(3), tflops: +((2 * S ** 3) / ms / 1e9).toFixed(1) });
  }
}
process.exit(0);
