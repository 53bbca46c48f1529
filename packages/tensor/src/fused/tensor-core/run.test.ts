import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../backend/init-backend.js';
import { hoistDirectivesOn, tensorCoreSupport, webGpuDevice } from '../../backend/webgpu.js';
import { setTensorCoreGemm } from '../matmul.js';
import { computeOn, normal, useSoftwareWebGpu } from '../test-helpers.js';
import { standaloneDirectModule } from './direct-wgsl.js';
import {
  HOIST_MARK,
  standaloneTensorCoreModule,
  type TensorCoreKernelConfig,
  validateKernelConfig,
} from './kernel-wgsl.js';
import {
  chooseTensorCoreConfig,
  configureTensorCoreGemm,
  hoistShaderDirectives,
  requiredMatrixConfigs,
  runTensorCoreGemm,
  setTensorCoreSupport,
  tensorCoreStatus,
} from './run.js';
import { COMMITTED_SWEEP_TABLE, type SweepTable } from './sweep-table.js';
import { TC_VARIANT_NAMES, TC_VARIANTS, variantFor } from './variants.js';

useSoftwareWebGpu({ withCpu: false });

const H200_CONFIGS = ['f16:16x16x16', 'f16:16x8x16', 'f16:16x8x8', 'f32:16x16x16', 'f32:16x8x16', 'f32:16x8x8'];

describe('matmulPrecision on an adapter without subgroup matrices (the software adapter)', () => {
  it('reports the fallback instead of hiding it, and the product stays bit-identical to the fp32 path', async () => {
    const run = () => [
      tf.matMul(normal(1, [70, 33]), normal(2, [33, 50])),
      tf.matMul(normal(3, [2, 40, 24]), normal(4, [2, 36, 24]), false, true),
    ];
    const fp32 = await computeOn('webgpu', run);
    const info = await initBackend({ device: 'webgpu', allowSoftwareAdapter: true, matmulPrecision: 'f16' });
    expect(info.matmul?.requested).toBe('f16');
    expect(info.matmul?.active).toBe('fp32');
    expect(info.matmul?.fallback).toMatch(/no subgroup matrices: adapter lacks chromium-experimental-subgroup-matrix/);
    const f16 = await computeOn('webgpu', run);
    // and with the hook removed altogether (the code before the tensor-core path)
    setTensorCoreGemm(undefined);
    const without = await computeOn('webgpu', run);
    setTensorCoreGemm(runTensorCoreGemm);
    await initBackend({ device: 'webgpu', allowSoftwareAdapter: true, matmulPrecision: 'fp32' });
    for (const [i, want] of fp32.entries()) {
      const bytes = Buffer.from(want.buffer);
      expect(Buffer.from(at(f16, i, 'f16-mode output').buffer).equals(bytes)).toBe(true);
      expect(Buffer.from(at(without, i, 'hook-less output').buffer).equals(bytes)).toBe(true);
    }
    expect(tensorCoreStatus().requested).toBe('fp32');
  });

  it("non-WebGPU backends report that they have no tensor-core path; 'fp32' adds no report", async () => {
    const info = await initBackend({ device: 'cpu', matmulPrecision: 'split-f16' });
    expect(info.matmul).toEqual({ requested: 'split-f16', active: 'fp32', fallback: "no tensor-core path on 'cpu'" });
    expect((await initBackend({ device: 'cpu' })).matmul).toBeUndefined();
    await initBackend({ device: 'webgpu', allowSoftwareAdapter: true });
  });
});

describe('the real (subgroup-matrix) kernel WGSL', () => {
  it('parses (syntax): on a device without the extensions the only complaint is the extension', async () => {
    const device = webGpuDevice() as {
      createShaderModule(d: { code: string }): {
        getCompilationInfo(): Promise<{ messages: { type: string; message: string }[] }>;
      };
      pushErrorScope(f: string): void;
      popErrorScope(): Promise<unknown>;
    };
    for (const [i, name] of TC_VARIANT_NAMES.entries()) {
      const cfg: TensorCoreKernelConfig = {
        ...variantFor(name, i % 3 === 2 ? 'split-f16' : 'f16'),
        transposeA: i % 2 === 1,
        transposeB: i % 4 >= 2,
        bias: i % 2 === 0,
        emulate: false,
      };
      const code = cfg.direct ? standaloneDirectModule(cfg) : standaloneTensorCoreModule(cfg);
      expect(code.startsWith('enable f16;')).toBe(true);
      device.pushErrorScope('validation');
      const mod = device.createShaderModule({ code });
      const info = await mod.getCompilationInfo();
      await device.popErrorScope();
      const errors = info.messages.filter((m) => m.type === 'error').map((m) => m.message);
      expect(errors, name).toEqual([
        expect.stringMatching(/^extension '(f16|chromium_experimental_subgroup_matrix)' is not allowed/),
      ]);
    }
    // the parser reports syntax errors before that one: a broken kernel would show here
    const broken = standaloneTensorCoreModule({
      ...TC_VARIANTS['n8-f4x4-s1x1-bk32'],
      transposeA: false,
      transposeB: false,
      bias: false,
      emulate: false,
    }).replace('fn main(index : i32) {', 'fn main(index : i32) { let q = ;');
    device.pushErrorScope('validation');
    const info = await device.createShaderModule({ code: broken }).getCompilationInfo();
    await device.popErrorScope();
    expect(info.messages.map((m) => m.message)).toEqual([expect.stringMatching(/missing initializer/)]);
  });

  it('hoistShaderDirectives moves the marked enable / diagnostic lines to the top, and leaves other code alone', () => {
    const code = `struct X { a : f32 };\n  enable f16; ${HOIST_MARK}\nfn f() {}\n  diagnostic(off, x.y); ${HOIST_MARK}`;
    expect(hoistShaderDirectives(code).split('\n')).toEqual([
      `enable f16; ${HOIST_MARK}`,
      `diagnostic(off, x.y); ${HOIST_MARK}`,
      'struct X { a : f32 };',
      'fn f() {}',
    ]);
    expect(hoistShaderDirectives('fn f() {}')).toBe('fn f() {}');
  });

  it("a device's createShaderModule, wrapped, compiles a program whose marked directive follows tfjs' prelude", async () => {
    const device = webGpuDevice() as {
      createShaderModule(d: { code: string }): { getCompilationInfo(): Promise<{ messages: { message: string }[] }> };
      pushErrorScope(f: string): void;
      popErrorScope(): Promise<unknown>;
    };
    const code = `var<private> x : f32;\ndiagnostic(off, derivative_uniformity); ${HOIST_MARK}\n@compute @workgroup_size(1) fn main() { x = 1.0; }`;
    const messages = async () => {
      device.pushErrorScope('validation');
      const info = await device.createShaderModule({ code }).getCompilationInfo();
      await device.popErrorScope();
      return info.messages.map((m) => m.message);
    };
    const original = device.createShaderModule;
    expect((await messages()).join()).toMatch(/directive/); // a directive after a declaration does not parse
    try {
      hoistDirectivesOn(device);
      expect(await messages()).toEqual([]);
      // and tfjs' own programs still compile through the wrapper
      const [y] = await computeOn('webgpu', () => tf.add(tf.tensor1d([1, 2]), 3));
      expect(Array.from(defined(y, 'tf.add output'))).toEqual([4, 5]);
    } finally {
      device.createShaderModule = original;
    }
  });

  it('uses the uniformity diagnostic only with several subgroups per workgroup', () => {
    const base = { transposeA: false, transposeB: false, bias: false, emulate: false };
    const one = standaloneTensorCoreModule({ ...variantFor('n8-f4x4-s1x1-bk32', 'f16'), ...base });
    const four = standaloneTensorCoreModule({ ...variantFor('n8-f4x4-s2x2-bk32', 'f16'), ...base });
    expect(one).not.toMatch(/subgroup_matrix_uniformity/);
    expect(four).toMatch(/diagnostic\(off, chromium\.subgroup_matrix_uniformity\)/);
    // the subgroup index is subgroup-uniform by construction (WGSL's subgroup-scope uniformity analysis)
    expect(four).toMatch(/enable subgroups;/);
    expect(four).toMatch(/let sg = subgroupBroadcastFirst\(localIndex \/ 32u\);/);
  });

  it('rejects configs it cannot generate', () => {
    const base = {
      ...TC_VARIANTS['n8-f4x4-s2x2-bk32'],
      transposeA: false,
      transposeB: false,
      bias: false,
      emulate: false,
    };
    expect(() => validateKernelConfig({ ...base, bk: 24 })).toThrow(/multiple of mma.k/);
    expect(() => validateKernelConfig({ ...base, split: true, accumulate: 'f16-promote' })).toThrow(/f32 accumulation/);
    expect(() =>
      validateKernelConfig({ ...base, mma: { m: 16, n: 8, k: 8 }, ti: 1, tj: 1, sgm: 4, sgn: 4, bk: 8 }),
    ).toThrow(/split evenly/);
  });
});

describe('selection on a (described) H200', () => {
  const table: SweepTable = {
    measuredOn: '2026-12-02',
    device: 'test',
    source: 'test',
    entries: [
      {
        precision: 'f16',
        m: 4096,
        n: 4096,
        k: 4096,
        transposeA: false,
        transposeB: true,
        variant: 'n8-f4x4-s2x2-bk32',
      },
      { precision: 'f16', m: 4096, n: 4096, k: 4096, transposeA: false, transposeB: false, variant: null },
    ],
  };
  const q = { m: 4096, n: 4096, k: 4096, transposeA: false, transposeB: true, bias: false };

  it('tensorCoreSupport reads features and f16 configs from the adapter', () => {
    const info = {
      subgroupMinSize: 32,
      subgroupMaxSize: 32,
      subgroupMatrixConfigs: [
        { componentType: 'f16', resultComponentType: 'f32', M: 16, N: 8, K: 16 },
        { componentType: 'u8', resultComponentType: 'u32', M: 16, N: 16, K: 32 },
      ],
    };
    const full = new Set(['chromium-experimental-subgroup-matrix', 'shader-f16', 'subgroups']);
    expect(tensorCoreSupport({ features: full, info: info as never })).toEqual({
      available: true,
      subgroupSizes: [32, 32],
      configs: ['f32:16x8x16'],
    });
    const partial = tensorCoreSupport({ features: new Set(['subgroups']), info: info as never });
    expect(partial.available).toBe(false);
    expect(partial.reason).toBe('adapter lacks chromium-experimental-subgroup-matrix, shader-f16');
  });

  it('picks the table variant where the adapter has its configs and subgroup size 32, else the SIMT GEMM', () => {
    const prev = configureTensorCoreGemm({ precision: 'f16', table });
    try {
      setTensorCoreSupport({ available: true, subgroupSizes: [32, 32], configs: H200_CONFIGS });
      const cfg = chooseTensorCoreConfig(q, 49152);
      expect(cfg && requiredMatrixConfigs(cfg)).toEqual(['f32:16x8x16']);
      expect(cfg?.sgm).toBe(2);
      expect(tensorCoreStatus()).toMatchObject({ requested: 'f16', active: 'f16', tableMeasuredOn: '2026-12-02' });
      expect(chooseTensorCoreConfig({ ...q, transposeB: false }, 49152)).toBeUndefined(); // SIMT won there
      expect(chooseTensorCoreConfig(q, 8192)).toBeUndefined(); // workgroup memory too small
      setTensorCoreSupport({ available: true, subgroupSizes: [16, 64], configs: H200_CONFIGS });
      expect(chooseTensorCoreConfig(q, 49152)).toBeUndefined(); // several subgroups need size 32
      setTensorCoreSupport({ available: true, subgroupSizes: [32, 32], configs: ['f32:16x16x16'] });
      expect(chooseTensorCoreConfig(q, 49152)).toBeUndefined(); // no 16x8x16 config
      configureTensorCoreGemm({ precision: 'f16', table: { measuredOn: null, device: '', source: '', entries: [] } });
      expect(tensorCoreStatus()).toMatchObject({ active: 'fp32', fallback: expect.stringMatching(/not measured yet/) });
      configureTensorCoreGemm({ precision: 'f16' }); // the committed table (measured on an H200)
      expect(tensorCoreStatus()).toMatchObject({ active: 'f16', tableMeasuredOn: COMMITTED_SWEEP_TABLE.measuredOn });
    } finally {
      configureTensorCoreGemm(prev);
      setTensorCoreSupport({ available: false, reason: 'adapter lacks chromium-experimental-subgroup-matrix' });
    }
  });
});
