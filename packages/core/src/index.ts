export type { AdamWStepParams } from './adamw-step-params.js';
export { at, defined, InvariantError } from './defined.js';
export { ERROR_CODE_PATTERN, hasMagicErrorCode, isMagicError, MagicError, magicErrorMarker } from './errors.js';
export type {
  ChatMessage,
  FinishReason,
  GenerationRequest,
  GenerationResult,
  Generator,
  SamplingOptions,
  Tokenizer,
} from './generator.js';
export type { Guard, GuardCallOptions, GuardVerdict, SafetyLabel } from './guard.js';
export { type LrSchedule, scheduledLearningRate } from './lr-schedule.js';
export type { GrpoBatch, Policy, PolicyBatch } from './policy.js';
export { formatDuration, ProgressLine, type ProgressSink, progressBar } from './progress-line.js';
export { deriveSeed, mulberry32, SeededRng } from './rng.js';
export {
  ROLES,
  type Role,
  STEP_STAGES,
  type Stage,
  type StageMap,
  type StageName,
  type StepContext,
} from './stage.js';
