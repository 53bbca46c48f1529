export { type CreateMagicGameOptions, createMagicGame, type MagicGame } from './create-game.js';
export { type GuardHandle, openGuard } from './guard.js';
export { causalLmPolicy, grpoConfigFor, LmPlayer } from './lm-player.js';
export type { Player, PlayerBatch } from './player.js';
export { holdOutSeeds, readSeedFile } from './seeds.js';
export {
  lrFactor,
  runSft,
  type SftExample,
  type SftModel,
  type SftResult,
  sftTrainerConfig,
  tokenizeSftExample,
} from './sft.js';
export {
  type PoolSource,
  shippedAttackerPrompts,
  shippedAttackPool,
  shippedSeeds,
  shippedValidationSeeds,
} from './shipped-data.js';
export {
  createMagicStages,
  createStepData,
  groupMetrics,
  type MagicParts,
  type MagicStepData,
  rolloutConfigFor,
} from './stages.js';
export {
  defenderValidationChat,
  fitPrompt,
  validateAttacker,
  validateDefender,
  validationSampling,
  valMaxNewTokens,
} from './validation.js';
export {
  benignSetMetrics,
  harmfulSetMetrics,
  rateWithWilson,
  summaryMetrics,
  type ValidationVerdict,
} from './validation-metrics.js';
export {
  type ResolvedValidation,
  resolveValidation,
  shippedValidationRecords,
  withoutHeldOut,
} from './validation-plan.js';
export {
  buildPaperValidationSet,
  buildSeparateValidationSets,
  paperValidationFile,
  seedsAsValidationRecords,
  stratifiedSample,
  type ValidationItem,
  type ValidationPlan,
  type ValidationRecord,
  type ValidationSet,
  type ValidationSetName,
} from './validation-sets.js';
