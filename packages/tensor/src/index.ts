import './gradients.js';

export { type AdapterDescription, describeAdapter } from './backend/adapter.js';
export {
  captureDispatchGraph,
  capturingDispatchGraph,
  DispatchGraph,
  DispatchGraphError,
  dispatchGraphParkedBuffers,
} from './backend/dispatch-graph.js';
export {
  type BackendInfo,
  type BackendName,
  DEVICES,
  type Device,
  type InitBackendOptions,
  initBackend,
  initBackendOptionsSchema,
} from './backend/init-backend.js';
export { resolveWasmDir } from './backend/wasm.js';
export { patchWasmKernels } from './backend/wasm-kernels.js';
export { maxStorageBindingBytes, releaseWebGpu, webGpuDevice } from './backend/webgpu.js';
export {
  checkWebGpuErrors,
  onWebGpuError,
  recordWebGpuError,
  settleWebGpu,
  webGpuErrorCount,
} from './backend/webgpu-errors.js';
export {
  capWebGpuBufferPool,
  defaultPoolCapBytes,
  type PoolCapOptions,
  touchWebGpuPool,
  trimWebGpuBufferPool,
  type WebGpuPoolStats,
  webGpuPoolStats,
} from './backend/webgpu-pool.js';
export {
  CONFORMANCE_CASES,
  type ConformanceCase,
  type ConformanceReport,
  type ConformanceResult,
  runConformance,
  seededNormal,
} from './conformance/index.js';
export { BackendInitError, MagicError, SafetensorsError, WasmOutOfMemoryError, WebGpuError } from './errors.js';
export { type AdamWStepParams, adamwStep, adamwStepReference } from './fused/adamw-step.js';
export { axpyInPlace, axpyReference } from './fused/axpy.js';
export { decodeAttention, decodeAttentionReference } from './fused/decode-attention.js';
export { embeddingGradient, embeddingGradientReference } from './fused/embedding-grad.js';
export {
  createKvCache,
  type DevicePosition,
  type PackedAttentionShape,
  packedDecodeAttention,
  packedDecodeAttentionReference,
  ropeInverseFrequencies,
  writeKvCache,
  writeKvCacheReference,
} from './fused/kv-cache.js';
export {
  logProbGather,
  logProbGatherGrad,
  logProbGatherReference,
} from './fused/log-prob-gather.js';
export {
  configureFastMatMul,
  type FastMatMulOptions,
  fastMatMulInstalled,
  GEMM_BKS,
  GEMM_TILES,
  type GemmBk,
  type GemmTile,
  installFastMatMul,
  uninstallFastMatMul,
} from './fused/matmul.js';
export { fusedRmsNorm, rmsNormReference } from './fused/rms-norm.js';
export { fusedRope, ropeReference } from './fused/rope.js';
export { fusedRopeAt, ropeAtReference, ropeTables } from './fused/rope-at.js';
export {
  type SampledTokens,
  type SampleTokensOptions,
  sampleIdsReference,
  sampleTokens,
} from './fused/sample-tokens.js';
export { sumOfSquares, sumOfSquaresReference } from './fused/sum-of-squares.js';
export { fusedSwiGlu, packedSwiGlu, packedSwiGluReference, swiGluReference } from './fused/swiglu.js';
export {
  standaloneTensorCoreModule,
  type TensorCoreKernelConfig,
  tensorCoreGemmWgsl,
} from './fused/tensor-core/kernel-wgsl.js';
export {
  gemmReference64,
  normalizedErrorAgainst,
  normalizedGemmError,
  type Reference64,
  tensorCoreGemmReference,
} from './fused/tensor-core/reference.js';
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
  MATMUL_PRECISIONS,
  type MatmulPrecision,
  TC_VARIANT_NAMES,
  TC_VARIANTS,
  type TcVariantName,
  variantFor,
} from './fused/tensor-core/variants.js';
export { FusedOpError } from './fused/webgpu-program.js';
export { ensureGradients } from './gradients.js';
export { expectNoLeaks, TensorLeakError } from './leaks.js';
export { installLeanBackprop, leanBackpropInstalled, uninstallLeanBackprop } from './lean-backprop.js';
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
