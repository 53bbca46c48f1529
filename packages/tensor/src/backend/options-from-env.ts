import type { Device, InitBackendOptions } from './init-backend.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A comma-separated list of Dawn toggle names (empty entries dropped). */
const toggleList = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);

/** A positive number from the environment, else undefined (unset, empty or not a positive number). */
function positive(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The CLIs' environment variables as InitBackendOptions (libraries never read the environment; a CLI passes
 * `process.env` here and spreads the result under its own flags). `device` is the device the CLI will ask for: CI=true
 * allows the software adapter for an explicit 'webgpu' only. Unset variables are left out; see the README's table.
 */
export function initBackendOptionsFromEnv(env: Env, device?: Device): Omit<InitBackendOptions, 'device'> {
  const options: Omit<InitBackendOptions, 'device'> = {};
  if (env.MAGIC_ALLOW_SOFTWARE_WEBGPU === '1' || (device === 'webgpu' && env.CI === 'true')) {
    options.allowSoftwareAdapter = true;
  }
  // '0' was the only value that turned these off (anything else kept them on), so it stays the switch
  if (env.MAGIC_FAST_MATMUL === '0') options.fastMatMul = false;
  if (env.MAGIC_LEAN_BACKPROP === '0') options.leanBackprop = false;
  const gemm: NonNullable<InitBackendOptions['gemm']> = {};
  if (env.MAGIC_FAST_MATMUL === 'all') gemm.shapes = 'all';
  const deepK = env.MAGIC_GEMM_DEEPK_WORKGROUPS;
  if (deepK !== undefined && deepK !== '' && Number.isInteger(Number(deepK)) && Number(deepK) >= 0) {
    gemm.deepKWorkgroups = Number(deepK);
  }
  if (Object.keys(gemm).length > 0) options.gemm = gemm;
  const poolGb = positive(env.MAGIC_WEBGPU_POOL_GB);
  if (poolGb !== undefined) options.webGpuPoolCapBytes = poolGb * 1e9;
  else if (env.MAGIC_WEBGPU_POOL_GB?.trim() === '0') options.webGpuPoolCapBytes = false;
  if (env.MAGIC_WEBGPU_ERROR_CAPTURE === '0') options.webGpuErrorCapture = false;
  const binding = positive(env.MAGIC_MAX_BINDING_BYTES);
  if (binding !== undefined && Number.isInteger(binding)) options.maxBindingBytes = binding;
  const enable = toggleList(env.MAGIC_DAWN_ENABLE);
  const disable = toggleList(env.MAGIC_DAWN_DISABLE);
  if (enable.length > 0 || disable.length > 0) options.dawnToggles = { enable, disable };
  if (env.MAGIC_WASM_DIR) options.wasmDir = env.MAGIC_WASM_DIR;
  if (env.MAGIC_WASM_MATMUL === 'tfjs' || env.MAGIC_WASM_MATMUL === 'xnnpack')
    options.wasmMatMul = env.MAGIC_WASM_MATMUL;
  return options;
}
