export { type GuardHandle, openGuard } from './guard.js';
export type { Player, PlayerBatch } from './player.js';
export { holdOutSeeds, readSeedFile } from './seeds.js';
export { lrFactor, runSft, type SftExample, type SftModel, type SftResult, tokenizeSftExample } from './sft.js';
export {
  createMagicStages,
  createStepData,
  groupMetrics,
  type MagicParts,
  type MagicStepData,
  rolloutConfigFor,
} from './stages.js';
export { defenderValidationChat, validateDefender } from './validation.js';
