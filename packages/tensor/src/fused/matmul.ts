import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { runGemm } from './matmul/run-gemm.js';
import type { BackendLike } from './webgpu-program.js';

// The tiled GEMM's kernel registration. Its plan (matmul/plan.ts), WGSL (matmul/wgsl.ts) and dispatch
// (matmul/run-gemm.ts) live beside it; the knobs and the tensor-core hook are re-exported for this module's users.
export { configureFastMatMul, type FastMatMulOptions } from './matmul/plan.js';
export { setTensorCoreGemm } from './matmul/run-gemm.js';

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo | undefined>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

let originals: { batchMatMul: tf.KernelConfig; fusedMatMul: tf.KernelConfig } | undefined;

function fastKernel(name: string, original: tf.KernelConfig, fused: boolean): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: (params) => {
      const { inputs, backend, attrs = {} } = params as unknown as KernelArgs;
      const activation = attrs.activation as string | undefined | null;
      const supported =
        !fused ||
        ((activation === undefined || activation === null || activation === 'linear') &&
          !inputs.preluActivationWeights);
      const out = supported
        ? runGemm(backend as BackendLike, {
            a: defined(inputs.a, 'matmul input a'),
            b: defined(inputs.b, 'matmul input b'),
            transposeA: !!attrs.transposeA,
            transposeB: !!attrs.transposeB,
            bias: fused ? inputs.bias : undefined,
          })
        : undefined;
      return out ?? (original.kernelFunc as (p: unknown) => tf.TensorInfo)(params);
    },
    kernelName: name,
  };
}

/**
 * Registers the tiled GEMM as the 'webgpu' kernel of BatchMatMul and _FusedMatMul (tfjs-backend-webgpu must be
 * imported, i.e. WebGPU started). Cases it does not handle (non-float32, activations other than linear, prelu
 * weights, partial batch broadcasts) run tfjs' original kernels. Idempotent; returns whether it is installed.
 */
export function installFastMatMul(): boolean {
  if (originals) return true;
  const batchMatMul = tf.getKernel(tf.BatchMatMul, 'webgpu');
  const fusedMatMul = tf.getKernel(tf._FusedMatMul, 'webgpu');
  if (!batchMatMul || !fusedMatMul) return false;
  originals = { batchMatMul, fusedMatMul };
  tf.unregisterKernel(tf.BatchMatMul, 'webgpu');
  tf.registerKernel(fastKernel(tf.BatchMatMul, batchMatMul, false));
  tf.unregisterKernel(tf._FusedMatMul, 'webgpu');
  tf.registerKernel(fastKernel(tf._FusedMatMul, fusedMatMul, true));
  return true;
}

/** Restores tfjs' own BatchMatMul and _FusedMatMul kernels on 'webgpu' (idempotent). */
export function uninstallFastMatMul(): void {
  if (!originals) return;
  tf.unregisterKernel(tf.BatchMatMul, 'webgpu');
  tf.registerKernel(originals.batchMatMul);
  tf.unregisterKernel(tf._FusedMatMul, 'webgpu');
  tf.registerKernel(originals.fusedMatMul);
  originals = undefined;
}

/** Whether the tiled GEMM is the current 'webgpu' matmul kernel. */
export function fastMatMulInstalled(): boolean {
  return originals !== undefined;
}
