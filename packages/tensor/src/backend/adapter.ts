import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeLoaderEnv } from './native-env.js';

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isSoftware: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software/i;

/** Normalises a GPUAdapter's info; software rasterisers (llvmpipe, lavapipe, SwiftShader) are flagged. */
export function describeAdapter(adapter: {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}): AdapterDescription {
  const info = adapter.info ?? {};
  const d = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
  };
  const isSoftware =
    Boolean(info.isFallbackAdapter || adapter.isFallbackAdapter) || SOFTWARE.test(`${d.device} ${d.description}`);
  return { ...d, isSoftware };
}

const LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib/x86_64-linux-gnu',
  '/usr/local/lib',
];

export interface LoaderSearch {
  /** `$LD_LIBRARY_PATH` (the dynamic loader's own input). */
  ldLibraryPath?: string;
  libDirs?: readonly string[];
  /** ld.so's cache, which lists libraries in folders configured through /etc/ld.so.conf.d. */
  ldCache?: string;
}

/** Whether the dynamic loader can find the Vulkan loader (libvulkan.so.1): LD_LIBRARY_PATH, lib folders, ld.so's cache. */
export function hasVulkanLoader(search: LoaderSearch = {}): boolean {
  const { ldLibraryPath = nativeLoaderEnv().ldLibraryPath, libDirs = LIB_DIRS, ldCache = '/etc/ld.so.cache' } = search;
  const dirs = [...(ldLibraryPath ?? '').split(':').filter(Boolean), ...libDirs];
  if (dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')))) return true;
  try {
    return readFileSync(ldCache).includes('libvulkan.so.1');
  } catch {
    return false;
  }
}

export interface GpuNodeSearch {
  /** Where device nodes live. */
  devDir?: string;
  /** `$VK_DRIVER_FILES` / `$VK_ICD_FILENAMES`: a user who names an ICD wants the probe whatever /dev shows. */
  icdOverride?: string;
}

/**
 * Whether this Linux machine shows a GPU device node a hardware Vulkan driver could open (NVIDIA, DRM render
 * nodes, AMD KFD, WSL's dxg). Without one Dawn's probe can only fail, printing its warnings (C++ source paths).
 */
export function hasGpuDeviceNode(search: GpuNodeSearch = {}): boolean {
  const { devDir = '/dev', icdOverride = nativeLoaderEnv().icdOverride } = search;
  if (icdOverride) return true;
  if (['nvidia0', 'nvidiactl', 'kfd', 'dxg'].some((n) => existsSync(join(devDir, n)))) return true;
  try {
    return readdirSync(join(devDir, 'dri')).some((n) => n.startsWith('renderD') || n.startsWith('card'));
  } catch {
    return false;
  }
}

/** Why Dawn found no hardware adapter, as far as can be told from here (Linux: is the Vulkan loader there?). */
export function explainNoHardwareAdapter(): string {
  if (process.platform !== 'linux') return 'no hardware WebGPU adapter';
  if (!hasVulkanLoader()) return 'libvulkan.so.1 not found (Vulkan loader missing)';
  if (!hasGpuDeviceNode())
    return 'no GPU device node (/dev/nvidia*, /dev/dri, /dev/kfd, /dev/dxg): no hardware Vulkan adapter';
  return 'no Vulkan adapter (Vulkan loader present; no GPU driver/ICD found: check the driver or VK_DRIVER_FILES)';
}
