export { type ChatMessage, OpenAICallError, OpenAICompatibleClient } from '@magic/openai-client';
export { createJudgeClient, EndpointGuard, endpointGuardSettingsSchema } from './endpoint-guard.js';
export { GuardEvalError, GuardModelError, GuardParseError, JudgeCallError, JudgeFailureError } from './errors.js';
export * from './eval/index.js';
export {
  expandResponseRows,
  type GuardExample,
  type GuardTask,
  guardExampleSchema,
  readGuardExamples,
  splitByGroup,
} from './local/dataset.js';
export { defaultFeatureOptions, type FeatureOptions, featurize, type SparseVector } from './local/features.js';
export { defaultWeightsPath, LocalGuard, type LocalGuardOptions, type LocalGuardScores } from './local/local-guard.js';
export { type BinaryMetrics, binaryMetrics, type LogisticHead, trainLogistic } from './local/logistic.js';
export {
  type LocalGuardFile,
  type LocalGuardModel,
  loadLocalGuardFile,
  localGuardFileSchema,
  saveLocalGuardFile,
  serializeLocalGuard,
} from './local/model.js';
export {
  loadTrainingExamples,
  type TrainHeadsOptions,
  type TrainLocalGuardOptions,
  type TrainLocalGuardResult,
  trainLocalGuard,
  trainLocalGuardHeads,
} from './local/train.js';
export {
  buildHarmBenchClassifierInput,
  harmBenchClassifierMessages,
  parseHarmBenchReply,
} from './protocols/harmbench.js';
export type { GuardProtocol } from './protocols/protocol.js';
export {
  parseQwen3GuardReply,
  qwen3GuardCategories,
  qwen3GuardProtocol,
  renderQwen3GuardReply,
} from './protocols/qwen3guard.js';
export {
  deflectionRubric,
  helpfulnessRubric,
  parseRubricScore,
  type RubricKind,
  rubricForLabel,
  rubricJudgeMessages,
  rubricScaleSchema,
} from './protocols/rubric.js';
export {
  buildWildGuardInput,
  extractWildGuardInput,
  parseWildGuardReply,
  renderWildGuardReply,
  type WildGuardReply,
  wildGuardProtocol,
} from './protocols/wildguard.js';
export {
  defaultRefusalKeywords,
  isRefusal,
  matchRefusal,
  type RefusalRulesConfig,
  refusalRulesSchema,
} from './refusal-rules.js';
export {
  attackerPromptForJudge,
  defenderResponseForJudge,
  extractAnswer,
  isWellFormatted,
  stripThink,
} from './reward/answer-tags.js';
export {
  computeMagicReward,
  type DataType,
  type FinishCode,
  formatComponent,
  harmComponent,
  isJudgeFailure,
  type JudgeFailure,
  labelComponent,
  type MagicReward,
  type MagicRewardInput,
  type RewardComponents,
  type RewardStatus,
  refusalComponent,
  requestLabelForRefusal,
} from './reward/compute.js';
export {
  type AgentRole,
  agentRoleSchema,
  type JudgeFailurePolicy,
  judgeFailurePolicySchema,
  type RewardConfig,
  type RewardConfigInput,
  type RewardPreset,
  rewardConfig,
  rewardConfigFromEnv,
  rewardConfigSchema,
  rewardPresets,
} from './reward/config.js';
export { judgeExchange } from './reward/judge-exchange.js';
export { guardUnderPolicy, type JudgePolicyContext, judgeWithPolicy } from './reward/judge-policy.js';
export { rewardMetrics } from './reward/metrics.js';
export { RubricJudge, rubricHarmComponent, rubricJudgeSettingsSchema } from './rubric-judge.js';
export { RulesGuard } from './rules-guard.js';
export {
  type GuardServer,
  type GuardServerOptions,
  moderationTarget,
  startGuardServer,
} from './server/guard-server.js';
export { type LoadReport, loadRequest, runGuardLoad } from './server/load.js';
export { guardServerOptionsSchema } from './server/request-schema.js';
export {
  clipMiddle,
  encodeGuardInput,
  type GuardHead,
  type GuardTokenizer,
  guardHeads,
} from './transformer/encode.js';
export { type TransformerGuardRecipeOptions, transformerGuardRecipe } from './transformer/recipe.js';
export { measureGuardSpeed } from './transformer/speed.js';
export {
  type GuardTrainingExample,
  guardTrainingExamples,
  type TrainTransformerGuardOptions,
  type TransformerGuardLog,
  trainTransformerGuard,
  trainTransformerGuardOptionsSchema,
} from './transformer/train.js';
export {
  type GuardHeadWeights,
  type GuardScores,
  initGuardHeads,
  TRANSFORMER_GUARD_FORMAT,
  TransformerGuard,
  type TransformerGuardManifest,
  type TransformerGuardSettings,
  transformerGuardHeadsFile,
  transformerGuardManifestFile,
  transformerGuardManifestSchema,
} from './transformer/transformer-guard.js';
export {
  type Guard,
  type GuardCallOptions,
  type GuardVerdict,
  guardVerdictSchema,
  type ModerationMode,
  type SafetyLabel,
  safetyLabelSchema,
} from './types.js';

export const packageName = '@magic/judges';
