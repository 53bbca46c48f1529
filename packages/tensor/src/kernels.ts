import './gradients.js';

// `@magic/tensor/kernels`: fused ops (WGSL on WebGPU, plain tfjs elsewhere) and the engine patch of the backward
// pass. Their plain-tfjs references are in `@magic/tensor/testing`.
export { type AdamWStepParams, adamwStep, adamwStepInPlace } from './fused/adamw-step.js';
export { axpyInPlace } from './fused/axpy.js';
export { decodeAttention } from './fused/decode-attention.js';
export { embeddingGradient } from './fused/embedding-grad.js';
export {
  createKvCache,
  type DevicePosition,
  type PackedAttentionShape,
  packedDecodeAttention,
  ropeInverseFrequencies,
  writeKvCache,
} from './fused/kv-cache.js';
export { logProbGather, logProbGatherGrad } from './fused/log-prob-gather.js';
export { fusedRmsNorm } from './fused/rms-norm.js';
export { fusedRope } from './fused/rope.js';
export { fusedRopeAt, ropeTables } from './fused/rope-at.js';
export { type SampledTokens, type SampleTokensOptions, sampleTokens } from './fused/sample-tokens.js';
export { sumOfSquares } from './fused/sum-of-squares.js';
export { fusedSwiGlu, packedSwiGlu } from './fused/swiglu.js';
export { FusedOpError } from './fused/webgpu-program.js';
export { installLeanBackprop, leanBackpropInstalled, uninstallLeanBackprop } from './lean-backprop.js';
