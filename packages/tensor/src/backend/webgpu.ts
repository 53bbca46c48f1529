import * as tf from '@tensorflow/tfjs-core';
import { installFastMatMul } from '../fused/matmul.js';
import {
  type AdapterDescription,
  describeAdapter,
  explainNoHardwareAdapter,
  hasGpuDeviceNode,
  hasVulkanLoader,
} from './adapter.js';
import { captureDeviceErrors, type ErrorSourceDevice, guardBackendReads } from './webgpu-errors.js';
import { capWebGpuBufferPool } from './webgpu-pool.js';

/* Minimal structural types of the WebGPU objects used here (Dawn's npm `webgpu`). */
interface GpuAdapterLike {
  info?: AdapterDescription & { isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  limits: Record<string, number>;
  features: Set<string>;
  requestDevice(desc: { requiredLimits?: Record<string, number>; requiredFeatures?: string[] }): Promise<GpuDeviceLike>;
}
interface GpuDeviceLike extends ErrorSourceDevice {
  destroy(): void;
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

/**
 * Dawn instance flags for the hardware adapter: `$MAGIC_DAWN_ENABLE` / `$MAGIC_DAWN_DISABLE` (comma-separated Dawn
 * toggles, e.g. disable_robustness) become `enable-dawn-features=` / `disable-dawn-features=`.
 */
export function dawnFlags(env: Record<string, string | undefined> = process.env): string[] {
  const list = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => /^[a-z0-9_]+$/.test(t));
  const flags: string[] = [];
  const enable = list(env.MAGIC_DAWN_ENABLE);
  const disable = list(env.MAGIC_DAWN_DISABLE);
  if (enable.length > 0) flags.push(`enable-dawn-features=${enable.join(',')}`);
  if (disable.length > 0) flags.push(`disable-dawn-features=${disable.join(',')}`);
  return flags;
}

async function pickAdapter(dawn: DawnModule, allowSoftware: boolean) {
  // Without the Vulkan loader or (unless a software Vulkan adapter is welcome) a GPU device node the Linux probe
  // cannot succeed, and Dawn would print its warnings (C++ source paths) on every start before `auto` goes to a CPU.
  const probe = process.platform !== 'linux' || (hasVulkanLoader() && (allowSoftware || hasGpuDeviceNode()));
  const hwGpu = probe ? dawn.create(dawnFlags()) : undefined;
  const hw = hwGpu ? await hwGpu.requestAdapter({ powerPreference: 'high-performance' }) : null;
  if (hwGpu && hw && !describeAdapter(hw).isSoftware) return { gpu: hwGpu, adapter: hw };
  const why = hw ? `only a software adapter (${describeAdapter(hw).device})` : explainNoHardwareAdapter();
  if (!allowSoftware) {
    throw new WebGpuUnavailable(
      `${why}; software WebGPU not allowed (pass allowSoftwareAdapter: true or set MAGIC_ALLOW_SOFTWARE_WEBGPU=1)`,
    );
  }
  if (hwGpu && hw) return { gpu: hwGpu, adapter: hw };
  // Mesa llvmpipe through Dawn's OpenGL ES backend: needs EGL without a display, and compatibility mode.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const swGpu = dawn.create(['backend=opengles']);
  const sw = await swGpu.requestAdapter({ featureLevel: 'compatibility' });
  if (!sw) throw new WebGpuUnavailable(`${why}; no software adapter either (Mesa EGL/GLES: libegl-mesa0, libgles2)`);
  return { gpu: swGpu, adapter: sw };
}

async function start(allowSoftware: boolean): Promise<WebGpuStart> {
  const dawn = await loadDawn();
  const { gpu, adapter } = await pickAdapter(dawn, allowSoftware);
  const requiredLimits: Record<string, number> = {};
  for (const k of LIMITS) if (typeof adapter.limits[k] === 'number') requiredLimits[k] = adapter.limits[k];
  // timestamp-query lets tf.profile / tf.time report GPU kernel times; subgroups serve fused kernels.
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  captureDeviceErrors(device);
  installNavigatorGpu(gpu, dawn.globals);
  // tfjs-backend-webgpu checks navigator.gpu when it is first imported.
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  // The tiled GEMM replaces tfjs' matmul programs (registered by the import above); MAGIC_FAST_MATMUL=0 keeps tfjs'.
  if (process.env.MAGIC_FAST_MATMUL !== '0') installFastMatMul();
  const description = describeAdapter(adapter);
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    () => {
      const backend = new WebGPUBackend(device as never, adapter.info as never);
      capWebGpuBufferPool(backend);
      guardBackendReads(backend as unknown as { read(dataId: object): Promise<unknown> }, device);
      return backend;
    },
    3,
  );
  current = { gpu, device, adapter: description };
  return { adapter: description };
}

/** Starts Dawn once per process and registers the 'webgpu' tfjs backend on its device. */
export function startWebGpu(allowSoftware: boolean): Promise<WebGpuStart> {
  if (current && (allowSoftware || !current.adapter.isSoftware)) return Promise.resolve({ adapter: current.adapter });
  if (!started) {
    started = start(allowSoftware).catch((e) => {
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

/**
 * Largest storage-buffer binding, in bytes, the active backend's kernels can use: the WebGPU device's
 * `maxStorageBufferBindingSize` (128 MiB on the software adapter; Dawn on an H200 reports GBs), Infinity on other
 * backends. `MAGIC_MAX_BINDING_BYTES` overrides it (tests of the chunked paths).
 */
export function maxStorageBindingBytes(): number {
  const env = Number(process.env.MAGIC_MAX_BINDING_BYTES);
  if (Number.isFinite(env) && env > 0) return env;
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
}
