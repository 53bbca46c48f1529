export { CausalLM, type SaveOptions } from './causal-lm.js';
export { readCheckpointTensors, type SaveWeightsOptions, writeCheckpointTensors } from './checkpoint-io.js';
export {
  configToJson,
  parseQwen2Config,
  type Qwen2Config,
  type Qwen2ConfigInput,
  qwen2ConfigSchema,
} from './config.js';
export { DECODE_STRATEGIES, type DecodeStrategy, decodeStrategy } from './decode/choose-decoder.js';
export { LmCheckpointError, LmConfigError, LmInputError } from './errors.js';
export { type GenerateOptions, type GenerationOutput, generateOptionsSchema } from './generate.js';
export { globalNorm } from './global-norm.js';
export { PRESET_CONFIGS, PRESETS, type Preset } from './presets.js';
export { QWEN25_CHAT_TEMPLATE } from './qwen25-chat-template.js';
export { Rng } from './rng.js';
export { applyLmRuntimeOptions, type LmRuntimeOptions, lmRuntimeOptionsFromEnv } from './runtime-options.js';
export { lrMultiplier } from './schedule.js';
export { MAX_LOGITS_CHUNK, positionsFromMask, type TokenLogProbsOptions } from './scoring.js';
export {
  type SaveCheckpointOptions,
  type SftConfig,
  type SftConfigInput,
  type SftLog,
  SftTrainer,
  type SftTrainerOptions,
  sftConfigSchema,
  type TrainOptions,
} from './sft.js';
export { type ChatRecord, chatRecordSchema, padBatch, type TokenizedExample, tokenizeChat } from './sft-data.js';
export { packTokenStream } from './sft-pack.js';
export { type ChatMessage, Tokenizer } from './tokenizer.js';
export { expectedTensors, type ModelWeights, namedWeights } from './weights.js';
