export {
  ADAMW_FORMULAS,
  AdamW,
  type AdamWFormula,
  type AdamWOptions,
  type AdamWStateDict,
  AdamWStateDictSchema,
  type AdamWStepHyper,
  type AdamWUpdate,
  type HostTensor,
  HostTensorSchema,
} from './adamw.js';
export {
  broadcastToTokens,
  computeGrpoOutcomeAdvantage,
  computeRlooOutcomeAdvantage,
  fracRewardZeroStd,
  type GrpoAdvantageOptions,
  groupByUid,
  groupMeanStd,
  type OutcomeAdvantage,
  type ScaleRewards,
} from './advantages.js';
export {
  broadcastToTokensTensor,
  computeGrpoOutcomeAdvantageTensor,
  type GrpoAdvantageTensorInput,
} from './advantages-tensor.js';
export {
  type AggregateLossOptions,
  aggregateLoss,
  LOSS_AGG_MODES,
  type LossAggMode,
  maskedMean,
  maskedValues,
} from './aggregate-loss.js';
export { firstMaskedColumn, GrpoBatchSchema, validateGrpoBatch } from './batch.js';
export {
  checkAdvantages,
  computeBatchAdvantages,
  type GrpoAdvantages,
  GrpoAdvantagesSchema,
} from './batch-advantages.js';
export { type GrpoConfig, type GrpoConfigInput, GrpoConfigSchema } from './config.js';
export { GrpoConfigError, GrpoError, GrpoInputError } from './errors.js';
export { type AxpyInPlace, accumulateGradients, clipByGlobalNorm, type SumOfSquares } from './grad-clip.js';
export { KL_PENALTY_TYPES, type KlPenaltyType, klPenalty } from './kl-penalty.js';
export { type LrScheduleOptions, learningRateAt } from './lr-schedule.js';
export { computeLogProbsNoGrad, type LogProbRows } from './old-log-probs.js';
export type { GrpoBatch, Policy, PolicyBatch } from './policy.js';
export {
  type ClipMode,
  computePolicyLoss,
  type PolicyLossInput,
  type PolicyLossOptions,
  type PolicyLossOutput,
} from './policy-loss.js';
export { BigramPolicy, mulberry32 } from './toy.js';
export {
  GrpoUpdater,
  type GrpoUpdaterOptions,
  type GrpoUpdaterStateDict,
  GrpoUpdaterStateDictSchema,
} from './updater.js';
