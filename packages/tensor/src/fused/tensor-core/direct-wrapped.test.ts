import { defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend/init-backend.js';
import { releaseWebGpu, webGpuDevice } from '../../backend/webgpu.js';
import { setTensorCoreGemm } from '../matmul.js';
import { useSoftwareWebGpu } from '../test-helpers.js';
import { configureTensorCoreGemm, hoistShaderDirectives, runTensorCoreGemm, setTensorCoreSupport } from './run.js';

/*
 * The real direct kernel as tfjs wraps it (bindings, helper functions, entry point), through the same module
 * rewrite as on the GPU (directives first, packed i32 inputs declared as f16 arrays): on the software adapter,
 * which has neither f16 nor subgroup matrices, the only complaint must be the missing extension (a syntax error
 * would come first); the staging programs that pack the f16 bits compile there in full.
 */
useSoftwareWebGpu({ withCpu: false });
afterAll(async () => {
  configureTensorCoreGemm({ precision: 'fp32' });
  setTensorCoreSupport({ available: false, reason: 'adapter lacks chromium-experimental-subgroup-matrix' });
  releaseWebGpu();
  await initBackend({ device: 'webgpu', allowSoftwareAdapter: true });
});

type Dev = {
  createShaderModule(d: { code: string }): { getCompilationInfo(): Promise<{ messages: { message: string }[] }> };
};

describe('the real direct and tiled kernels inside tfjs', () => {
  for (const [variant, type] of [
    ['direct-n8-f2x2-s2x2', 'f16'],
    ['tile-n8-f2x2-s2x2-bk16', 'f16'],
  ] as const) {
    it(`${variant} parses and type-checks: only the extensions are missing`, async () => {
      setTensorCoreGemm(runTensorCoreGemm);
      const dev = webGpuDevice() as unknown as Dev;
      const original = dev.createShaderModule.bind(dev);
      const modules: { code: string; messages: Promise<{ messages: { message: string }[] }> }[] = [];
      dev.createShaderModule = (d) => {
        const code = hoistShaderDirectives(d.code);
        const mod = original({ code });
        modules.push({ code, messages: mod.getCompilationInfo() });
        return mod;
      };
      setTensorCoreSupport({ available: true, subgroupSizes: [32, 32], configs: ['f32:16x8x16'] });
      configureTensorCoreGemm({ precision: 'split-f16', variant });
      try {
        const c = tf.matMul(tf.ones([40, 24]), tf.ones([30, 24]), false, true);
        await c.data().catch(() => undefined);
        c.dispose();
      } finally {
        dev.createShaderModule = original;
        configureTensorCoreGemm({ precision: 'fp32' });
      }
      const gemm = modules.filter((m) => m.code.includes('subgroupMatrixMultiplyAccumulate'));
      expect(gemm).toHaveLength(1);
      const [only] = gemm;
      const { code } = defined(only, 'the matrix kernel module');
      expect(code.split('\n').slice(0, 4)).toEqual([
        'enable f16; // magic-hoist',
        'enable chromium_experimental_subgroup_matrix; // magic-hoist',
        'enable subgroups; // magic-hoist',
        'diagnostic(off, chromium.subgroup_matrix_uniformity); // magic-hoist',
      ]);
      for (const x of ['a16', 'b16', 'a16lo', 'b16lo']) {
        expect(code).toContain(`var<storage, read> ${x}: array<${type}>`);
        // the packed operands are read as f16 scalars: by subgroup-matrix loads, the kernel's reader, or tfjs'
        // generated accessors (f32(x[i]): what keeps the arrays scalar)
        const uses = code.split('\n').filter((l) => new RegExp(`\\b${x}\\b`).test(l));
        for (const l of uses) expect(l).toMatch(/var<storage, read>|subgroupMatrixLoad|fn ld_|return f32\(|magic-/);
      }
      const messages = (await defined(only, 'the matrix kernel module').messages).messages.map((m) => m.message);
      expect(messages).toEqual([expect.stringMatching(/^extension 'f16' is not allowed/)]);
      // the scale, staging and epilogue programs compiled cleanly
      const others = modules.filter((m) => !m.code.includes('subgroupMatrix'));
      // (tfjs caches pipelines by shader key: the tiled case reuses the staging programs the direct one compiled)
      if (variant.startsWith('direct')) expect(others.some((m) => m.code.includes('f16Bits'))).toBe(true);
      for (const m of others) expect((await m.messages).messages.map((x) => x.message)).toEqual([]);
    }, 60_000);
  }
});
