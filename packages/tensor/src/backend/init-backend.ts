import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BackendInitError } from '../errors.js';
import { configureFastMatMul, fastMatMulOptions } from '../fused/matmul/plan.js';
import { type TensorCoreStatus, tensorCoreStatus } from '../fused/tensor-core/run.js';
import { MATMUL_PRECISIONS, type MatmulPrecision } from '../fused/tensor-core/variants.js';
import '../gradients.js';
import { installLeanBackprop, uninstallLeanBackprop } from '../lean-backprop.js';
import type { AdapterDescription } from './adapter.js';
import { loadTensorflowBinding } from './tensorflow.js';
import { resolveWasmDir } from './wasm.js';
import { patchWasmKernels, WASM_MATMULS } from './wasm-kernels.js';
import { setMaxBindingBytes, startWebGpu } from './webgpu.js';

export const DEVICES = ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type Device = (typeof DEVICES)[number];
export type BackendName = Exclude<Device, 'auto'>;

const gemmOptionsSchema = z
  .object({
    /** Which problems the tiled GEMM takes: 'measured' (where it beat tfjs on an H200) or 'all'. */
    shapes: z.enum(['measured', 'all']).optional(),
    /** Deep-K problems split K until they have this many workgroups (0: off; default 2048). */
    deepKWorkgroups: z.number().int().nonnegative().optional(),
  })
  .strict();

export const initBackendOptionsSchema = z.object({
  device: z.enum(DEVICES).default('auto'),
  /**
   * Use a software WebGPU adapter (Mesa llvmpipe via Dawn's OpenGL ES backend) when there is no GPU (default false;
   * CLIs: MAGIC_ALLOW_SOFTWARE_WEBGPU=1, or CI=true for an explicit `webgpu`).
   */
  allowSoftwareAdapter: z.boolean().default(false),
  /**
   * What float32 matmuls run on WebGPU (PyTorch's `allow_tf32` is the analogy): 'fp32' (default) the SIMT float32
   * GEMM, bit-identical to before; 'f16' tensor cores with f16 operands (per-row/column scaled) and f32
   * accumulation, about TF32's precision; 'split-f16' tensor cores with hi + lo f16 parts (three products), near
   * fp32. A tensor-core mode needs an adapter with subgroup matrices (Dawn's
   * chromium-experimental-subgroup-matrix, NVIDIA); elsewhere, and for shapes the committed sweep table gives to the
   * SIMT GEMM, the fp32 GEMM runs and BackendInfo.matmul says why.
   */
  matmulPrecision: z.enum(MATMUL_PRECISIONS).default('fp32'),
  /**
   * Kernel replacement: the tiled GEMM is registered as WebGPU's BatchMatMul and _FusedMatMul kernel (default true;
   * false keeps tfjs' programs, and with them the tensor-core modes off). CLIs: MAGIC_FAST_MATMUL=0.
   */
  fastMatMul: z.boolean().default(true),
  /** The tiled GEMM's problem choice (configureFastMatMul; left out: unchanged). CLIs: MAGIC_FAST_MATMUL=all, MAGIC_GEMM_DEEPK_WORKGROUPS. */
  gemm: gemmOptionsSchema.optional(),
  /**
   * Engine patch: tfjs' backward pass frees each node's gradients and saved tensors once its own backward has run
   * (installLeanBackprop; default true, false restores tfjs' own). CLIs: MAGIC_LEAN_BACKPROP=0.
   */
  leanBackprop: z.boolean().default(true),
  /**
   * Kernel replacement on wasm: UnsortedSegmentSum added, a buffer-sharing Identity, a transpose-first BatchMatMul
   * and the heap guard that turns a full heap into WasmOutOfMemoryError (patchWasmKernels; default true). Applied
   * when wasm starts; a process cannot take it back.
   */
  wasmKernelPatches: z.boolean().default(true),
  /**
   * The patched wasm BatchMatMul: 'xnnpack' (default) every float32 product through XNNPACK, 3-4x faster; 'tfjs'
   * tfjs' own kernel (transposed A transposed first), the float32 rounding of builds before the XNNPACK routing
   * (XNNPACK sums over K in one run, tfjs' loop in blocks of 48). CLIs: MAGIC_WASM_MATMUL=tfjs.
   */
  wasmMatMul: z.enum(WASM_MATMULS).default('xnnpack'),
  /**
   * Engine patch: tfjs' WebGPU buffer pool gets a soft cap in bytes (capWebGpuBufferPool wraps its buffer manager;
   * default 16 GB); false leaves tfjs' unbounded pool. CLIs: MAGIC_WEBGPU_POOL_GB (0: false).
   */
  webGpuPoolCapBytes: z.union([z.number().positive(), z.literal(false)]).optional(),
  /**
   * Engine patch: the device's uncaptured errors become WebGpuError (Dawn would only log them) and every read-back of
   * the backend throws once one happened (captureDeviceErrors + guardBackendReads; default true). false leaves Dawn's
   * logging and tfjs' reads as they are: a computation on invalid buffers then returns numbers. CLIs:
   * MAGIC_WEBGPU_ERROR_CAPTURE=0.
   */
  webGpuErrorCapture: z.boolean().default(true),
  /** Dawn toggles for the hardware adapter's instance, e.g. disable_robustness. CLIs: MAGIC_DAWN_ENABLE / _DISABLE. */
  dawnToggles: z
    .object({ enable: z.array(z.string()).optional(), disable: z.array(z.string()).optional() })
    .strict()
    .optional(),
  /** What maxStorageBindingBytes() reports instead of the device's limit (tests of chunked paths). CLIs: MAGIC_MAX_BINDING_BYTES. */
  maxBindingBytes: z.number().int().positive().optional(),
  /** Folder of the tfjs `.wasm` files (default: next to the bundle, else the installed package). CLIs: MAGIC_WASM_DIR. */
  wasmDir: z.string().min(1).optional(),
});
export type InitBackendOptions = z.input<typeof initBackendOptionsSchema>;
type ResolvedOptions = z.output<typeof initBackendOptionsSchema>;

export interface BackendInfo {
  name: BackendName;
  adapter?: AdapterDescription;
  skipped: { device: string; reason: string }[];
  /** The matmul precision requested and what runs (only when a mode other than 'fp32' was requested). */
  matmul?: TensorCoreStatus | { requested: MatmulPrecision; active: 'fp32'; fallback: string };
}

const AUTO_ORDER: BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

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
async function startOne(name: BackendName, o: ResolvedOptions): Promise<AdapterDescription | undefined> {
  switch (name) {
    case 'cpu':
      ensureCpuBackend();
      await activate('cpu');
      return undefined;
    case 'wasm': {
      if (!wasmPathSet && !tf.engine().registry.wasm) {
        const found = resolveWasmDir(o.wasmDir);
        if ('reason' in found) throw new Error(found.reason);
        setWasmPaths(found.dir);
        wasmPathSet = true;
      }
      if (o.wasmKernelPatches) patchWasmKernels({ matMul: o.wasmMatMul });
      await activate('wasm');
      return undefined;
    }
    case 'webgpu': {
      const { adapter } = await startWebGpu({
        allowSoftware: o.allowSoftwareAdapter,
        precision: o.matmulPrecision,
        fastMatMul: o.fastMatMul,
        poolCapBytes: o.webGpuPoolCapBytes,
        errorCapture: o.webGpuErrorCapture,
        dawnToggles: o.dawnToggles,
      });
      await activate('webgpu');
      return adapter;
    }
    case 'tensorflow':
      await loadTensorflowBinding();
      await activate('tensorflow');
      return undefined;
  }
}

/** The process-wide settings of the options: the engine patch, the GEMM's problem choice, the binding limit. */
function applyGlobal(o: ResolvedOptions): void {
  if (o.leanBackprop) installLeanBackprop();
  else uninstallLeanBackprop();
  if (o.gemm) {
    const { shapes, deepKWorkgroups } = o.gemm;
    configureFastMatMul({
      ...fastMatMulOptions(),
      ...(shapes === undefined ? {} : { shapes }),
      ...(deepKWorkgroups === undefined ? {} : { deepKWorkgroups }),
    });
  }
  setMaxBindingBytes(o.maxBindingBytes);
}

/**
 * Starts a tfjs backend and makes it current. `auto` tries tensorflow > webgpu > wasm > cpu and reports why each
 * earlier one was skipped; an explicit device that cannot start throws BackendInitError with the reason. Every
 * global patch is one of the options; the WebGPU ones (fastMatMul, webGpuPoolCapBytes, webGpuErrorCapture,
 * dawnToggles) take effect
 * when the device is created, the first WebGPU start after releaseWebGpu().
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const o = initBackendOptionsSchema.parse(opts);
  const { device, matmulPrecision } = o;
  applyGlobal(o);
  const matmul = (name: BackendName): Pick<BackendInfo, 'matmul'> => {
    if (matmulPrecision === 'fp32') return {};
    if (name === 'webgpu') return { matmul: tensorCoreStatus() };
    return { matmul: { requested: matmulPrecision, active: 'fp32', fallback: `no tensor-core path on '${name}'` } };
  };
  if (device !== 'auto') {
    try {
      const adapter = await startOne(device, o);
      return { name: device, ...(adapter ? { adapter } : {}), skipped: [], ...matmul(device) };
    } catch (e) {
      throw new BackendInitError(device, (e as Error).message, { cause: e });
    }
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const name of AUTO_ORDER) {
    try {
      const adapter = await startOne(name, o);
      return { name, ...(adapter ? { adapter } : {}), skipped, ...matmul(name) };
    } catch (e) {
      skipped.push({ device: name, reason: (e as Error).message });
    }
  }
  throw new BackendInitError('auto', skipped.map((s) => `${s.device}: ${s.reason}`).join('; '));
}
