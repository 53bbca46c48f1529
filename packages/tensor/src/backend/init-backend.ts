import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BackendInitError } from '../errors.js';
import { type TensorCoreStatus, tensorCoreStatus } from '../fused/tensor-core/run.js';
import { MATMUL_PRECISIONS, type MatmulPrecision } from '../fused/tensor-core/variants.js';
import '../gradients.js';
import type { AdapterDescription } from './adapter.js';
import { loadTensorflowBinding } from './tensorflow.js';
import { resolveWasmDir } from './wasm.js';
import { patchWasmKernels } from './wasm-kernels.js';
import { startWebGpu } from './webgpu.js';

export const DEVICES = ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type Device = (typeof DEVICES)[number];
export type BackendName = Exclude<Device, 'auto'>;

export const initBackendOptionsSchema = z.object({
  device: z.enum(DEVICES).default('auto'),
  /**
   * Use a software WebGPU adapter (Mesa llvmpipe via Dawn's OpenGL ES backend) when there is no GPU.
   * Default: for `auto`, only if MAGIC_ALLOW_SOFTWARE_WEBGPU=1; for an explicit `webgpu`, also when CI=true.
   */
  allowSoftwareAdapter: z.boolean().optional(),
  /**
   * What float32 matmuls run on WebGPU (PyTorch's `allow_tf32` is the analogy): 'fp32' (default) the SIMT float32
   * GEMM, bit-identical to before; 'f16' tensor cores with f16 operands (per-row/column scaled) and f32
   * accumulation, about TF32's precision; 'split-f16' tensor cores with hi + lo f16 parts (three products), near
   * fp32. A tensor-core mode needs an adapter with subgroup matrices (Dawn's
   * chromium-experimental-subgroup-matrix, NVIDIA); elsewhere, and for shapes the committed sweep table gives to the
   * SIMT GEMM, the fp32 GEMM runs and BackendInfo.matmul says why.
   */
  matmulPrecision: z.enum(MATMUL_PRECISIONS).default('fp32'),
});
export type InitBackendOptions = z.input<typeof initBackendOptionsSchema>;

export interface BackendInfo {
  name: BackendName;
  adapter?: AdapterDescription;
  skipped: { device: string; reason: string }[];
  /** The matmul precision requested and what runs (only when a mode other than 'fp32' was requested). */
  matmul?: TensorCoreStatus | { requested: MatmulPrecision; active: 'fp32'; fallback: string };
}

const AUTO_ORDER: BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

function softwareAllowed(device: Device, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  if (process.env.MAGIC_ALLOW_SOFTWARE_WEBGPU === '1') return true;
  return device === 'webgpu' && process.env.CI === 'true';
}

/**
 * Makes sure the 'cpu' backend is registered. Referencing MathBackendCPU keeps tfjs-backend-cpu (and its kernels)
 * in bundles: its package.json declares its Node entry side-effect free, so a bare import would be dropped.
 */
export function ensureCpuBackend(): void {
  if (!tf.findBackendFactory('cpu')) tf.registerBackend('cpu', () => new MathBackendCPU(), 1);
}

let wasmPathSet = false;

async function activate(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed (see the warning above)`);
  await tf.ready();
}

/** Starts one backend; throws an Error whose message is the reason it could not. */
async function startOne(
  name: BackendName,
  allowSoftware: boolean,
  precision: MatmulPrecision,
): Promise<AdapterDescription | undefined> {
  switch (name) {
    case 'cpu':
      ensureCpuBackend();
      await activate('cpu');
      return undefined;
    case 'wasm': {
      if (!wasmPathSet && !tf.engine().registry.wasm) {
        const found = resolveWasmDir();
        if ('reason' in found) throw new Error(found.reason);
        setWasmPaths(found.dir);
        wasmPathSet = true;
      }
      patchWasmKernels();
      await activate('wasm');
      return undefined;
    }
    case 'webgpu': {
      const { adapter } = await startWebGpu(allowSoftware, precision);
      await activate('webgpu');
      return adapter;
    }
    case 'tensorflow':
      await loadTensorflowBinding();
      await activate('tensorflow');
      return undefined;
  }
}

/**
 * Starts a tfjs backend and makes it current. `auto` tries tensorflow > webgpu > wasm > cpu and reports why each
 * earlier one was skipped; an explicit device that cannot start throws BackendInitError with the reason.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const { device, allowSoftwareAdapter, matmulPrecision } = initBackendOptionsSchema.parse(opts);
  const allowSoftware = softwareAllowed(device, allowSoftwareAdapter);
  const matmul = (name: BackendName): Pick<BackendInfo, 'matmul'> => {
    if (matmulPrecision === 'fp32') return {};
    if (name === 'webgpu') return { matmul: tensorCoreStatus() };
    return { matmul: { requested: matmulPrecision, active: 'fp32', fallback: `no tensor-core path on '${name}'` } };
  };
  if (device !== 'auto') {
    try {
      const adapter = await startOne(device, allowSoftware, matmulPrecision);
      return { name: device, ...(adapter ? { adapter } : {}), skipped: [], ...matmul(device) };
    } catch (e) {
      throw new BackendInitError(device, (e as Error).message, { cause: e });
    }
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const name of AUTO_ORDER) {
    try {
      const adapter = await startOne(name, allowSoftware, matmulPrecision);
      return { name, ...(adapter ? { adapter } : {}), skipped, ...matmul(name) };
    } catch (e) {
      skipped.push({ device: name, reason: (e as Error).message });
    }
  }
  throw new BackendInitError('auto', skipped.map((s) => `${s.device}: ${s.reason}`).join('; '));
}
