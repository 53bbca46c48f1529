import { expect, it } from 'vitest';
import { initBackendOptionsSchema } from './init-backend.js';
import { initBackendOptionsFromEnv } from './options-from-env.js';

it('maps no variables to no options (the schema defaults apply)', () => {
  expect(initBackendOptionsFromEnv({})).toEqual({});
  expect(initBackendOptionsSchema.parse({})).toMatchObject({
    allowSoftwareAdapter: false,
    fastMatMul: true,
    leanBackprop: true,
    wasmMatMul: 'xnnpack',
  });
});

it('maps every MAGIC_* backend variable to its option', () => {
  const env = {
    MAGIC_ALLOW_SOFTWARE_WEBGPU: '1',
    MAGIC_FAST_MATMUL: 'all',
    MAGIC_GEMM_DEEPK_WORKGROUPS: '0',
    MAGIC_LEAN_BACKPROP: '0',
    MAGIC_WEBGPU_POOL_GB: '2.5',
    MAGIC_MAX_BINDING_BYTES: '4096',
    MAGIC_DAWN_ENABLE: 'disable_robustness, skip_validation',
    MAGIC_DAWN_DISABLE: 'lazy_clear_resource_on_first_use',
    MAGIC_WASM_DIR: '/opt/wasm',
    MAGIC_WASM_MATMUL: 'tfjs',
  };
  const options = initBackendOptionsFromEnv(env);
  expect(options).toEqual({
    allowSoftwareAdapter: true,
    leanBackprop: false,
    gemm: { shapes: 'all', deepKWorkgroups: 0 },
    webGpuPoolCapBytes: 2.5e9,
    maxBindingBytes: 4096,
    dawnToggles: { enable: ['disable_robustness', 'skip_validation'], disable: ['lazy_clear_resource_on_first_use'] },
    wasmDir: '/opt/wasm',
    wasmMatMul: 'tfjs',
  });
  // what the CLIs pass is a valid options object
  expect(initBackendOptionsSchema.safeParse({ ...options, device: 'cpu' }).success).toBe(true);
  expect(initBackendOptionsFromEnv({ MAGIC_FAST_MATMUL: '0' })).toEqual({ fastMatMul: false });
});

it('turns the WebGPU engine patches off with 0', () => {
  const options = initBackendOptionsFromEnv({ MAGIC_WEBGPU_ERROR_CAPTURE: '0', MAGIC_WEBGPU_POOL_GB: '0' });
  expect(options).toEqual({ webGpuErrorCapture: false, webGpuPoolCapBytes: false });
  expect(initBackendOptionsSchema.parse({ ...options, device: 'cpu' })).toMatchObject(options);
  expect(initBackendOptionsFromEnv({ MAGIC_WEBGPU_ERROR_CAPTURE: '1' })).toEqual({});
  expect(initBackendOptionsSchema.parse({}).webGpuErrorCapture).toBe(true);
});

it('allows the software adapter under CI only for an explicit webgpu, and drops malformed numbers', () => {
  expect(initBackendOptionsFromEnv({ CI: 'true' }, 'webgpu')).toEqual({ allowSoftwareAdapter: true });
  expect(initBackendOptionsFromEnv({ CI: 'true' }, 'auto')).toEqual({});
  expect(
    initBackendOptionsFromEnv({
      MAGIC_WEBGPU_POOL_GB: 'lots',
      MAGIC_MAX_BINDING_BYTES: '-1',
      MAGIC_GEMM_DEEPK_WORKGROUPS: '1.5',
      MAGIC_FAST_MATMUL: '1',
      MAGIC_WASM_MATMUL: 'blocked',
    }),
  ).toEqual({});
});
