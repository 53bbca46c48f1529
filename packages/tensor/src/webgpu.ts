import './gradients.js';

// `@magic/tensor/webgpu`: the WebGPU backend's internals and tuning knobs: dispatch graphs, error capture, the
// buffer-pool cap, the tiled and tensor-core GEMMs, the wasm kernel patch. Start-up itself is `initBackend` (`.`).
export {
  captureDispatchGraph,
  capturingDispatchGraph,
  DispatchGraph,
  DispatchGraphError,
  dispatchGraphParkedBuffers,
} from './backend/dispatch-graph.js';
export { patchWasmKernels } from './backend/wasm-kernels.js';
export { type DawnToggles, dawnFlags, maxStorageBindingBytes, webGpuDevice } from './backend/webgpu.js';
export {
  checkWebGpuErrors,
  onWebGpuError,
  recordWebGpuError,
  settleWebGpu,
  webGpuErrorCount,
} from './backend/webgpu-errors.js';
export {
  capWebGpuBufferPool,
  DEFAULT_POOL_CAP_BYTES,
  type PoolCapOptions,
  touchWebGpuPool,
  trimWebGpuBufferPool,
  type WebGpuPoolStats,
  webGpuPoolStats,
} from './backend/webgpu-pool.js';
export {
  configureFastMatMul,
  type FastMatMulOptions,
  GEMM_BKS,
  GEMM_TILES,
  type GemmBk,
  type GemmTile,
} from './fused/matmul/plan.js';
export { fastMatMulInstalled, installFastMatMul, uninstallFastMatMul } from './fused/matmul.js';
export {
  standaloneTensorCoreModule,
  type TensorCoreKernelConfig,
  tensorCoreGemmWgsl,
} from './fused/tensor-core/kernel-wgsl.js';
export {
  configureTensorCoreGemm,
  type TensorCoreOptions,
  type TensorCoreStatus,
  type TensorCoreSupport,
  tensorCoreStatus,
} from './fused/tensor-core/run.js';
export { type SweepEntry, type SweepTable, sweepTableSchema } from './fused/tensor-core/sweep-table.js';
export {
  type KernelVariant,
  TC_SWEEP_VARIANTS,
  TC_VARIANT_NAMES,
  TC_VARIANTS,
  type TcVariantName,
  variantFor,
} from './fused/tensor-core/variants.js';
