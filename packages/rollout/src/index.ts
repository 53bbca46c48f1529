export {
  defenderResponseForGuard,
  extractAnswerTag,
  extractAttackerPrompt,
  extractThink,
  stripThink,
} from './answer.js';
export {
  type AttackerPrompts,
  AttackerPromptsSchema,
  attackerSystemPrompt,
  attackerTask,
  defaultAttackerPrompts,
} from './attacker-prompts.js';
export { buildAttackerChat, buildDefenderChat } from './chats.js';
export {
  type RolloutConfig,
  type RolloutConfigInput,
  RolloutConfigSchema,
  type Seed,
  type SeedInput,
  SeedSchema,
} from './config.js';
export type { Episode, HistoryEntry, RoleTrack, RoleTurnRecord, TokenSequence, TurnJudgement } from './episode.js';
export {
  GeneratorOutputError,
  PromptTooLongError,
  RemoteTrainedRoleError,
  RolloutInputError,
  TemplateDriftError,
} from './errors.js';
export {
  createRolloutEmitter,
  type RolloutEmitter,
  type RolloutEndEvent,
  type RolloutEvents,
  type RolloutStartEvent,
  type TurnEndEvent,
} from './events.js';
export { FINISH_CODES, type FinishCode, type FinishReasonName, finishReasonName } from './finish-codes.js';
export { type CausalLMLike, LocalGenerator, type LocalGeneratorOptions } from './local-generator.js';
export { type ChatClientLike, RemoteGenerator, type RemoteGeneratorOptions } from './remote-generator.js';
export {
  type EpisodeReward,
  type EpisodeStatus,
  EpisodeStatusSchema,
  type GuardVerdicts,
  type ReplayBufferRecord,
  ReplayBufferRecordSchema,
  replayBufferPath,
  toReplayBufferRecords,
  type UnscoredEpisode,
  writeReplayBuffer,
} from './replay-buffer.js';
export { checkGenerators, type RolloutInput, runRollout, samplingFor } from './rollout.js';
export {
  type Script,
  ScriptedGenerator,
  type ScriptedGeneratorOptions,
  type ScriptReply,
} from './scripted-generator.js';
export { type AssistantSample, assertAppendOnly, buildPromptSequence } from './token-splice.js';
export { type RoleTrainingBatch, type ToTrainingBatchOptions, toTrainingBatch } from './training-batch.js';
export type {
  ChatMessage,
  ChatTokenizer,
  FinishReason,
  GenerationRequest,
  GenerationResult,
  Generator,
  GuardVerdict,
  Role,
  RolloutGuard,
  SamplingOptions,
  TrainingRole,
} from './types.js';
export { ROLES } from './types.js';

export const packageName = '@magic/rollout';
export { type EpisodeRewardInput, rewardInputOf } from './reward-input.js';
