import './gradients.js';

// `@magic/tensor/testing`: leak checks, the backend conformance suite, and plain-tfjs references of the fused
// kernels (what their tests and benchmarks compare against).
export {
  CONFORMANCE_CASES,
  type ConformanceCase,
  type ConformanceReport,
  type ConformanceResult,
  runConformance,
  seededNormal,
} from './conformance/index.js';
export { adamwStepReference } from './fused/adamw-step.js';
export { axpyReference } from './fused/axpy.js';
export { decodeAttentionReference } from './fused/decode-attention.js';
export { embeddingGradientReference } from './fused/embedding-grad.js';
export { packedDecodeAttentionReference, writeKvCacheReference } from './fused/kv-cache.js';
export { logProbGatherReference } from './fused/log-prob-gather.js';
export { rmsNormReference } from './fused/rms-norm.js';
export { ropeReference } from './fused/rope.js';
export { ropeAtReference } from './fused/rope-at.js';
export { sampleIdsReference } from './fused/sample-tokens.js';
export { sumOfSquaresReference } from './fused/sum-of-squares.js';
export { packedSwiGluReference, swiGluReference } from './fused/swiglu.js';
export {
  gemmReference64,
  normalizedErrorAgainst,
  normalizedGemmError,
  type Reference64,
  tensorCoreGemmReference,
} from './fused/tensor-core/reference.js';
export { expectNoLeaks, TensorLeakError } from './leaks.js';
