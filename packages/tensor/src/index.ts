import './gradients.js';

// `@magic/tensor`: backend start-up and I/O. Kernels, WebGPU internals and test references are subpaths
// (`@magic/tensor/kernels`, `/webgpu`, `/testing`).
export { type AdapterDescription, describeAdapter } from './backend/adapter.js';
export {
  type BackendInfo,
  type BackendName,
  DEVICES,
  type Device,
  type InitBackendOptions,
  initBackend,
  initBackendOptionsSchema,
} from './backend/init-backend.js';
export { initBackendOptionsFromEnv } from './backend/options-from-env.js';
export { resolveWasmDir } from './backend/wasm.js';
export { releaseWebGpu } from './backend/webgpu.js';
export { BackendInitError, MagicError, SafetensorsError, WasmOutOfMemoryError, WebGpuError } from './errors.js';
export type { TensorCoreStatus, TensorCoreSupport } from './fused/tensor-core/run.js';
export { MATMUL_PRECISIONS, type MatmulPrecision } from './fused/tensor-core/variants.js';
export { ensureGradients } from './gradients.js';
export {
  decodeTensorBytes,
  encodeTensorBytes,
  MAX_HEADER_BYTES,
  parseSafetensorsHeader,
  readSafetensors,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type SafetensorsEntry,
  type SafetensorsFile,
  type SafetensorsHeader,
  type SafetensorsSaveDtype,
  type SafetensorsTensor,
  type TensorToSave,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from './safetensors.js';
export { loadSafetensorsFile, saveSafetensorsFile } from './safetensors-file.js';
export { TFJS_SEED_FOR_ZERO, tfSeed } from './seed.js';
