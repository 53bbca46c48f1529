import * as tf from '@tensorflow/tfjs-core';
import { setTensorCoreGemm } from '../fused/matmul/run-gemm.js';
import { installFastMatMul } from '../fused/matmul.js';
import {
  hoistShaderDirectives,
  runTensorCoreGemm,
  setMatmulPrecision,
  setTensorCoreSupport,
  type TensorCoreSupport,
} from '../fused/tensor-core/run.js';
import type { MatmulPrecision } from '../fused/tensor-core/variants.js';
import {
  type AdapterDescription,
  describeAdapter,
  explainNoHardwareAdapter,
  hasGpuDeviceNode,
  hasVulkanLoader,
} from './adapter.js';
import { useSurfacelessEgl } from './native-env.js';
import { captureDeviceErrors, type ErrorSourceDevice, guardBackendReads } from './webgpu-errors.js';
import { capWebGpuBufferPool } from './webgpu-pool.js';

/* Minimal structural types of the WebGPU objects used here (Dawn's npm `webgpu`). */
interface SubgroupMatrixConfigLike {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}
interface GpuAdapterLike {
  info?: AdapterDescription & {
    isFallbackAdapter?: boolean;
    subgroupMinSize?: number;
    subgroupMaxSize?: number;
    subgroupMatrixConfigs?: Iterable<SubgroupMatrixConfigLike>;
  };
  isFallbackAdapter?: boolean;
  limits: Record<string, number>;
  features: Set<string>;
  requestDevice(desc: { requiredLimits?: Record<string, number>; requiredFeatures?: string[] }): Promise<GpuDeviceLike>;
}
interface GpuDeviceLike extends ErrorSourceDevice {
  destroy(): void;
  features?: Set<string>;
  createShaderModule?(desc: { code: string; label?: string }): unknown;
}
interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string; featureLevel?: string }): Promise<GpuAdapterLike | null>;
}
interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

export interface WebGpuStart {
  adapter: AdapterDescription;
}

/** Features requested when the adapter offers them. */
const OPTIONAL_FEATURES = ['timestamp-query', 'subgroups', 'shader-f16'];
/** Features the tensor-core GEMM needs (requested only for a tensor-core matmul precision). */
export const TENSOR_CORE_FEATURES = ['chromium-experimental-subgroup-matrix', 'shader-f16', 'subgroups'];
/**
 * Dawn instance toggles under which an NVIDIA adapter offers them: subgroup matrices are an unsafe (experimental)
 * API, and Dawn turns f16 off on NVIDIA's Vulkan driver by default.
 */
export const TENSOR_CORE_TOGGLES = ['allow_unsafe_apis', 'vulkan_enable_f16_on_nvidia'];

/** Limits tfjs-backend-webgpu relies on; requested at the adapter's maximum (compat mode defaults are lower). */
const LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
];

export class WebGpuUnavailable extends Error {}

let started: Promise<WebGpuStart> | undefined;
let current: { gpu: GpuLike; device: GpuDeviceLike; adapter: AdapterDescription } | undefined;

async function loadDawn(): Promise<DawnModule> {
  try {
    return (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    throw new WebGpuUnavailable(
      `npm package 'webgpu' (Dawn) is not installed or failed to load: ${(e as Error).message}`,
    );
  }
}

function installNavigatorGpu(gpu: GpuLike, globals: Record<string, unknown>): void {
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(globals)) if (!(k in g)) g[k] = v;
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
  else g.navigator = { gpu };
}

/** Dawn toggles for the hardware adapter's instance (e.g. disable_robustness), by name. */
export interface DawnToggles {
  enable?: readonly string[] | undefined;
  disable?: readonly string[] | undefined;
}

/**
 * Dawn instance flags for the hardware adapter: the toggles become `enable-dawn-features=` /
 * `disable-dawn-features=`, `extraEnable` (the tensor-core toggles) merged in. Anything that is not a toggle name is
 * dropped, so a value cannot smuggle in another flag.
 */
export function dawnFlags(toggles: DawnToggles = {}, extraEnable: readonly string[] = []): string[] {
  const list = (v: readonly string[] | undefined) =>
    (v ?? []).map((t) => t.trim()).filter((t) => /^[a-z0-9_]+$/.test(t));
  const flags: string[] = [];
  const enable = [...new Set([...list(toggles.enable), ...list(extraEnable)])];
  const disable = list(toggles.disable);
  if (enable.length > 0) flags.push(`enable-dawn-features=${enable.join(',')}`);
  if (disable.length > 0) flags.push(`disable-dawn-features=${disable.join(',')}`);
  return flags;
}

async function pickAdapter(dawn: DawnModule, allowSoftware: boolean, dawnToggles: DawnToggles, toggles: string[] = []) {
  // Without the Vulkan loader or (unless a software Vulkan adapter is welcome) a GPU device node the Linux probe
  // cannot succeed, and Dawn would print its warnings (C++ source paths) on every start before `auto` goes to a CPU.
  const probe = process.platform !== 'linux' || (hasVulkanLoader() && (allowSoftware || hasGpuDeviceNode()));
  const hwGpu = probe ? dawn.create(dawnFlags(dawnToggles, toggles)) : undefined;
  const hw = hwGpu ? await hwGpu.requestAdapter({ powerPreference: 'high-performance' }) : null;
  if (hwGpu && hw && !describeAdapter(hw).isSoftware) return { gpu: hwGpu, adapter: hw };
  const why = hw ? `only a software adapter (${describeAdapter(hw).device})` : explainNoHardwareAdapter();
  if (!allowSoftware) {
    throw new WebGpuUnavailable(
      `${why}; software WebGPU not allowed (pass allowSoftwareAdapter: true; CLIs: MAGIC_ALLOW_SOFTWARE_WEBGPU=1)`,
    );
  }
  if (hwGpu && hw) return { gpu: hwGpu, adapter: hw };
  // Mesa llvmpipe through Dawn's OpenGL ES backend: needs EGL without a display, and compatibility mode.
  useSurfacelessEgl();
  const swGpu = dawn.create(['backend=opengles']);
  const sw = await swGpu.requestAdapter({ featureLevel: 'compatibility' });
  if (!sw) throw new WebGpuUnavailable(`${why}; no software adapter either (Mesa EGL/GLES: libegl-mesa0, libgles2)`);
  return { gpu: swGpu, adapter: sw };
}

/**
 * Makes `device.createShaderModule` move marked `enable` / `diagnostic` lines (hoistShaderDirectives) to the top:
 * tfjs writes its prelude before a program's code, and WGSL wants directives first.
 */
export function hoistDirectivesOn(device: {
  createShaderModule?(desc: { code: string; label?: string }): unknown;
}): void {
  if (!device.createShaderModule) return;
  const create = device.createShaderModule.bind(device);
  device.createShaderModule = (desc) => create({ ...desc, code: hoistShaderDirectives(desc.code) });
}

/** What an adapter offers the tensor-core GEMM (features, f16 subgroup-matrix configs, subgroup sizes). */
export function tensorCoreSupport(adapter: Pick<GpuAdapterLike, 'features' | 'info'>): TensorCoreSupport {
  const missing = TENSOR_CORE_FEATURES.filter((f) => !adapter.features.has(f));
  let configs: string[] = [];
  try {
    // (an adapter without the feature may throw here rather than list nothing)
    configs = [...(adapter.info?.subgroupMatrixConfigs ?? [])]
      .filter((c) => c.componentType === 'f16')
      .map((c) => `${c.resultComponentType}:${c.M}x${c.N}x${c.K}`);
  } catch {
    configs = [];
  }
  const info = adapter.info;
  const sizes: [number, number] | undefined =
    info?.subgroupMinSize !== undefined && info.subgroupMaxSize !== undefined
      ? [info.subgroupMinSize, info.subgroupMaxSize]
      : undefined;
  if (missing.length > 0) {
    return { available: false, reason: `adapter lacks ${missing.join(', ')}`, subgroupSizes: sizes, configs };
  }
  if (configs.length === 0) return { available: false, reason: 'no f16 subgroup-matrix configs', subgroupSizes: sizes };
  return { available: true, subgroupSizes: sizes, configs };
}

/** How WebGPU starts (InitBackendOptions, resolved). */
export interface WebGpuStartOptions {
  allowSoftware: boolean;
  precision?: MatmulPrecision | undefined;
  /** Replace tfjs' matmul kernels with the tiled GEMM (default true). */
  fastMatMul?: boolean | undefined;
  /** Soft cap of tfjs' buffer pool, bytes (default DEFAULT_POOL_CAP_BYTES); false: tfjs' pool unpatched. */
  poolCapBytes?: number | false | undefined;
  /** Route device errors into WebGpuError and guard read-backs (default true); false: neither patch. */
  errorCapture?: boolean | undefined;
  dawnToggles?: DawnToggles | undefined;
}

async function start(options: WebGpuStartOptions): Promise<WebGpuStart> {
  const { allowSoftware, precision = 'fp32', fastMatMul = true, poolCapBytes, errorCapture = true } = options;
  const dawnToggles = options.dawnToggles ?? {};
  const dawn = await loadDawn();
  let { gpu, adapter } = await pickAdapter(
    dawn,
    allowSoftware,
    dawnToggles,
    precision === 'fp32' ? [] : TENSOR_CORE_TOGGLES,
  );
  let support = tensorCoreSupport(adapter);
  if (precision === 'fp32' && support.available) {
    support = {
      ...support,
      available: false,
      reason: "WebGPU started with matmulPrecision 'fp32' (features not requested)",
    };
  }
  if (precision !== 'fp32' && !support.available) {
    // the toggles only for a device that uses them: otherwise today's plain instance
    ({ gpu, adapter } = await pickAdapter(dawn, allowSoftware, dawnToggles));
  }
  const requiredLimits: Record<string, number> = {};
  for (const k of LIMITS) if (typeof adapter.limits[k] === 'number') requiredLimits[k] = adapter.limits[k];
  // timestamp-query lets tf.profile / tf.time report GPU kernel times; subgroups serve fused kernels.
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  if (support.available) requiredFeatures.push(...TENSOR_CORE_FEATURES.filter((f) => !requiredFeatures.includes(f)));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  if (errorCapture) captureDeviceErrors(device);
  if (support.available) hoistDirectivesOn(device);
  installNavigatorGpu(gpu, dawn.globals);
  // tfjs-backend-webgpu checks navigator.gpu when it is first imported.
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  // The tiled GEMM replaces tfjs' matmul programs (registered by the import above); fastMatMul false keeps tfjs'.
  if (fastMatMul && installFastMatMul()) setTensorCoreGemm(runTensorCoreGemm);
  else if (support.available) {
    // the tensor-core GEMM is reached through the tiled GEMM's kernels
    support = { ...support, available: false, reason: "fastMatMul false keeps tfjs' matmul programs" };
  }
  setTensorCoreSupport(support);
  setMatmulPrecision(precision);
  const description = describeAdapter(adapter);
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    () => {
      const backend = new WebGPUBackend(device as never, adapter.info as never);
      if (poolCapBytes !== false) capWebGpuBufferPool(backend, poolCapBytes);
      if (errorCapture) guardBackendReads(backend as unknown as { read(dataId: object): Promise<unknown> }, device);
      return backend;
    },
    3,
  );
  current = { gpu, device, adapter: description };
  return { adapter: description };
}

/**
 * Starts Dawn once per process and registers the 'webgpu' tfjs backend on its device. `precision` other than
 * 'fp32' requests the tensor-core features where the adapter offers them; on an already started device it switches
 * the mode (falling back, reported by tensorCoreStatus, where the device lacks them). The other options take effect
 * when the device is created (the first start after releaseWebGpu).
 */
export function startWebGpu(options: WebGpuStartOptions): Promise<WebGpuStart> {
  const { allowSoftware, precision = 'fp32' } = options;
  if (current && (allowSoftware || !current.adapter.isSoftware)) {
    setMatmulPrecision(precision);
    return Promise.resolve({ adapter: current.adapter });
  }
  if (!started) {
    started = start(options).catch((e) => {
      started = undefined;
      throw e;
    });
  }
  return started;
}

/** The Dawn device behind the 'webgpu' backend, if started (for tests and diagnostics). */
export function webGpuDevice(): unknown {
  return current?.device;
}

let bindingOverride: number | undefined;

/** Sets (undefined: clears) the limit maxStorageBindingBytes reports (InitBackendOptions.maxBindingBytes). */
export function setMaxBindingBytes(bytes: number | undefined): void {
  bindingOverride = bytes;
}

/**
 * Largest storage-buffer binding, in bytes, the active backend's kernels can use: the WebGPU device's
 * `maxStorageBufferBindingSize` (128 MiB on the software adapter; Dawn on an H200 reports GBs), Infinity on other
 * backends. InitBackendOptions.maxBindingBytes overrides it (tests of the chunked paths).
 */
export function maxStorageBindingBytes(): number {
  if (bindingOverride !== undefined) return bindingOverride;
  if (tf.getBackend() !== 'webgpu') return Number.POSITIVE_INFINITY;
  const limits = (current?.device as { limits?: { maxStorageBufferBindingSize?: number } } | undefined)?.limits;
  return limits?.maxStorageBufferBindingSize ?? 134_217_728;
}

/**
 * Frees the WebGPU backend and device and drops `navigator.gpu` (a live Dawn instance keeps Node running).
 * Call before a program exits if it used WebGPU.
 */
export function releaseWebGpu(): void {
  if (!current) return;
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  current.device.destroy();
  const nav = (globalThis as Record<string, unknown>).navigator as Record<string, unknown> | undefined;
  if (nav?.gpu === current.gpu) delete nav.gpu;
  current = undefined;
  started = undefined;
  setTensorCoreSupport({ available: false, reason: 'WebGPU not started' });
}
