import { GrpoConfigSchema } from '@magic/grpo';
import { rewardConfigSchema } from '@magic/judges';
import { PRESETS, sftConfigSchema } from '@magic/lm';
import { RolloutConfigSchema } from '@magic/rollout';
import { z } from 'zod';

export const RoleSchema = z.enum(['attacker', 'defender']);
export type Role = z.output<typeof RoleSchema>;

export const DeviceSchema = z.enum(['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu']);

/** One agent's weights: a folder in HF layout, or a built-in architecture preset with random init. */
export const ModelSpecSchema = z.strictObject({
  /** HF folder (config.json, *.safetensors, tokenizer.json). Wins over `preset`. */
  path: z.string().optional(),
  /** @magic/lm preset used when no path is given (random init, seeded). */
  preset: z.enum(PRESETS).default('tiny'),
});

export const DataSchema = z.strictObject({
  /** Seed file (jsonl `{vanilla, data_type}` or MAGIC parquet-like jsonl); absent = the shipped seed set. */
  trainFiles: z.string().optional(),
  /**
   * Validation seeds (jsonl `{vanilla, adversarial?, data_type}`) used instead of the attack pool's
   * val split by `validation.mode: separate`; they are removed from the training seeds.
   */
  valFiles: z.string().optional(),
  /** Seeds per RL step (verl data.train_batch_size). */
  trainBatchSize: z.number().int().positive().default(64),
  /** Shuffle the training seeds each epoch (seeded). */
  shuffle: z.boolean().default(true),
  /**
   * Share of benign (`vanilla_benign`) seeds in every defender training batch, in [0, 1]: each epoch interleaves the
   * benign and harmful seeds at this share (each kind in its own seeded order). Attacker steps keep drawing the seeds
   * as they come (on benign seeds the attacker is rewarded for refusals, so balancing its batches shifts its
   * objective). Unset = MAGIC's sampler for both roles, a batch's mix following the seed file's.
   */
  benignShare: z.number().min(0).max(1).optional(),
});

/**
 * @magic/rollout's own options (same names, defaults and validation: maxNumTurns, the per-turn lengths, sampling,
 * guardCheck, ...), plus what only the trainer needs.
 */
export const RolloutSectionSchema = z.strictObject({
  /** Rollouts per seed (GRPO group size). */
  n: z.number().int().positive().default(4),
  ...RolloutConfigSchema.pick({
    maxNumTurns: true,
    maxPromptLength: true,
    maxResponseLength: true,
    stopWhenTruncated: true,
    temperature: true,
    topP: true,
    topK: true,
    guardCheck: true,
    defenderFirstMessage: true,
    attackerDecoding: true,
    defenderDecoding: true,
    useAdversarialPromptForDefender: true,
    fallbackToAdversarialOnHarmfulRewrite: true,
    skipAttackerGenerationForDefender: true,
  }).shape,
  /** Validation generation cap (defender, temperature 0). */
  valMaxResponseLength: z.number().int().positive().optional(),
});

export const GuardSectionSchema = z.strictObject({
  /**
   * 'local': the in-process rule guard of @magic/judges; 'server': the same guard behind the
   * OpenAI-compatible guard server on loopback, started and stopped by the trainer; 'remote': an
   * OpenAI-compatible endpoint (WILDGUARD_API_ENDPOINT).
   */
  kind: z.enum(['local', 'server', 'remote']).default('local'),
  endpoint: z.string().optional(),
  model: z.string().default('orm'),
  apiKey: z.string().optional(),
  timeoutMs: z.number().int().positive().default(30_000),
  maxRetries: z.number().int().nonnegative().default(3),
});

/**
 * The LLM rubric judge of `safetyScoreMode: 'rule_api'` (spec §2.2): an OpenAI-compatible endpoint answering
 * `<score>N</score>`, min-max mapped by scoreMin/scoreMax (SAFETY_RULE_SCORE_MIN/MAX) to s ∈ [0, 1].
 */
export const RuleJudgeSectionSchema = z.strictObject({
  /** OpenAI-compatible base URL; required with safetyScoreMode 'rule_api'. */
  endpoint: z.string().optional(),
  model: z.string().min(1).default('gpt-4o'),
  apiKey: z.string().optional(),
  temperature: z.number().min(0).default(0),
  maxTokens: z.number().int().positive().default(512),
  timeoutMs: z.number().int().positive().default(30_000),
  maxRetries: z.number().int().nonnegative().default(3),
  /** SAFETY_RULE_SCORE_MIN: the judge's lowest score (maps to s = 0). */
  scoreMin: z.number().default(0),
  /** SAFETY_RULE_SCORE_MAX: the judge's highest score (maps to s = 1). */
  scoreMax: z.number().default(10),
});

/** @magic/judges' reward fields under the trainer's names: one schema (defaults and validation) for both. */
const judgeReward = rewardConfigSchema.shape;

/** Defaults follow grpo_public.sh (spec §2.4), the paper values being options. */
export const RewardSectionSchema = z.strictObject({
  rewardHarm: judgeReward.harm,
  rewardRefusal: judgeReward.refusal,
  rewardLabel: judgeReward.label,
  formatRewardValue: judgeReward.format,
  useQSafeLabelForRefusal: judgeReward.useQSafeLabelForRefusal,
  refusalSource: judgeReward.refusalSource,
  useAnswerTags: judgeReward.useAnswerTags,
  /** s in R_harm = r_harm·(2s − 1): 'classifier' = the guard's qa label (s ∈ {0, 1}); 'rule_api' = the rubric judge. */
  safetyScoreMode: z.enum(['classifier', 'rule_api']).default('classifier'),
  ruleJudge: RuleJudgeSectionSchema.prefault({}),
  /** Unset = all trained roles except the defender (i.e. the attacker). */
  formatRewardRoles: judgeReward.formatRewardRoles,
  maskUnfinishedReward: judgeReward.maskUnfinishedReward,
  /**
   * A failed or unparsable judge verdict, in validation, the per-turn early-stop check and reward scoring alike:
   * 'skip-episode' drops the episode (and a GRPO group left with < 2), 'zero' gives it reward 0,
   * 'legacy-treat-as-safe' is the original code's reward hole, 'error' stops the run at once.
   */
  onJudgeFailure: judgeReward.onJudgeFailure,
  /** The run stops after this many consecutive steps in which no episode could be judged. */
  maxConsecutiveFailedSteps: z.number().int().positive().default(3),
  guard: GuardSectionSchema.prefault({}),
});

/**
 * @magic/grpo's own options (same names, defaults and validation: advEstimator, scaleRewards, normAdvByStd,
 * maskZeroStdGroups, klLossType, the LR schedule, ...), plus what only the trainer needs. Mini/micro batch sizes keep
 * concrete trainer defaults (verl requires them); `totalTrainingSteps` unset = `trainer.totalSteps`.
 */
export const GrpoSectionSchema = GrpoConfigSchema.extend({
  /** Seeds (GRPO groups) per optimizer step (verl ppo_mini_batch_size, counted in prompts). */
  ppoMiniBatchSize: GrpoConfigSchema.shape.ppoMiniBatchSize.unwrap().default(32),
  /** Sequences per forward/backward pass (gradient accumulation inside a mini-batch). */
  ppoMicroBatchSize: GrpoConfigSchema.shape.ppoMicroBatchSize.unwrap().default(8),
  /**
   * Recompute each decoder layer in backward instead of keeping its activations (verl
   * `model.enable_gradient_checkpointing`): less training memory for about one more forward pass.
   */
  gradientCheckpointing: z.boolean().default(false),
});

const SwitchMapEntrySchema = z.strictObject({ above: RoleSchema.optional(), below: RoleSchema.optional() });

export const SwitchAgentSchema = z
  .strictObject({
    enable: z.boolean().default(true),
    level: z.enum(['step']).default('step'),
    mode: z.enum(['ratio', 'metric']).default('ratio'),
    freq: z.number().int().positive().default(15),
    agentRoles: z.array(RoleSchema).default(['attacker', 'defender']),
    trainRoles: z.array(RoleSchema).min(1).default(['attacker', 'defender']),
    startAgent: RoleSchema.default('defender'),
    updateRatio: z
      .strictObject({
        attacker: z.number().int().positive().default(1),
        defender: z.number().int().positive().default(1),
      })
      .prefault({}),
    /**
     * 'original': agent = schedule[(s // freq) % len] with s from 1 (the first block is one step
     * short, as in MAGIC's code); 'full': every block has exactly freq steps.
     */
    firstBlock: z.enum(['original', 'full']).default('original'),
    metricName: z.string().default('reward/response_harm'),
    metricLow: z.number().default(0.8),
    metricHigh: z.number().default(0.9),
    metricWindow: z.number().int().positive().default(3),
    metricSwitchMap: z
      .strictObject({ attacker: SwitchMapEntrySchema.optional(), defender: SwitchMapEntrySchema.optional() })
      .default({ defender: { above: 'attacker' }, attacker: { below: 'defender' } }),
  })
  .refine((s) => s.metricLow < s.metricHigh, { message: 'metricLow must be < metricHigh', path: ['metricLow'] })
  .refine((s) => s.trainRoles.every((r) => s.agentRoles.includes(r)), {
    message: 'trainRoles must be a subset of agentRoles',
    path: ['trainRoles'],
  });

/** What the defender (and attacker) are validated on at `trainer.testFreq` (see the game README). */
export const ValidationSectionSchema = z.strictObject({
  /**
   * 'separate': sets built from held-out (validation-split) seeds of the attack pool, disjoint from
   * training and evaluation; 'paper': MAGIC's test_wjb set (250 WildJailbreak adversarial-benign rows),
   * the same rows as the WJB-benign eval column, so not independent of it.
   */
  mode: z.enum(['separate', 'paper']).default('separate'),
  /** Items per set in 'separate' mode, drawn with the run seed, stratified across the pool strategies. */
  setSize: z.number().int().positive().default(100),
  /** Also validate the attacker: it rewrites the held-out harmful seeds, the defender answers (both greedy). */
  attackerSide: z.boolean().default(true),
  /**
   * Also run the attacker-side set alone at each attacker block's edges: after the step before the block (its start
   * state) and after its last step (its end state), so the attacker's progress against the frozen defender is
   * measured inside the block. Needs attackerSide; default false (validation at testFreq only).
   */
  attackerBlockEdges: z.boolean().default(false),
  /** 'paper' mode's file (MAGIC's verl parquet or WildJailbreak jsonl); absent = the shipped test_wjb.parquet. */
  paperFile: z.string().optional(),
  /**
   * Token cap of the defender's validation prompts (cut at the end); absent = rollout.maxPromptLength
   * less the answer cap. Prefill cost grows with its square: the tiny preset keeps CPU runs short with it.
   */
  maxPromptLength: z.number().int().positive().optional(),
});

export const TrainerSectionSchema = z.strictObject({
  totalSteps: z.number().int().nonnegative().default(300),
  testFreq: z.number().int().nonnegative().default(15),
  saveFreq: z.number().int().nonnegative().default(15),
  /** Validate once before the first RL step (verl val_before_train). */
  valBeforeTrain: z.boolean().default(true),
  seed: z.number().int().default(42),
  device: DeviceSchema.default('auto'),
  runDir: z.string().default('runs/magic'),
  /** Keep only the newest k checkpoints (0 = all). */
  maxCheckpoints: z.number().int().nonnegative().default(2),
});

/** Phase 1 in MAGIC's key names (lr, lrScheduler, warmupRatio); the shared fields are @magic/lm's SftTrainer schema's. */
export const SftSectionSchema = z.strictObject({
  enable: z.boolean().default(true),
  /** Attack-pool export (alpaca json/jsonl); absent = the pool shipped with @magic/attack-pool. */
  dataFile: z.string().optional(),
  epochs: z.number().positive().default(3),
  lr: z.number().positive().default(3e-5),
  batchSize: z.number().int().positive().default(32),
  /** Examples per forward/backward (gradients accumulated up to batchSize); default: the whole batch. */
  microBatchSize: z.number().int().positive().optional(),
  maxLength: sftConfigSchema.shape.maxLength.unwrap().default(10240),
  warmupRatio: z.number().min(0).max(1).default(0.1),
  lrScheduler: sftConfigSchema.shape.schedule,
  /** Warm-up formula: 'from-first-step' `lr·(i+1)/(warm+1)` (phase 1's) or 'from-zero' `lr·i/warm` (transformers). */
  warmup: sftConfigSchema.shape.warmup.unwrap().default('from-first-step'),
  /** Where the decay reaches 0: 'at-last-step' (phase 1's) or 'after-last-step' (transformers). */
  decayEnd: sftConfigSchema.shape.decayEnd.unwrap().default('at-last-step'),
  /** AdamW decoupled weight decay. Default 0: with adamEpsilon 1e-7, the update of tf.train.adam (phase 1's before). */
  weightDecay: sftConfigSchema.shape.weightDecay.unwrap().default(0),
  /** AdamW ε. Default 1e-7, tf.train.adam's on float32 backends (torch's AdamW uses 1e-8). */
  adamEpsilon: sftConfigSchema.shape.eps.unwrap().default(1e-7),
  /**
   * Rounding order of the step: 'tfjs-adam' (default) phase 1's before it ran on SftTrainer, bit for bit
   * (tf.train.adam's update, the clip coefficient in float32); 'torch' @magic/grpo's AdamW order.
   */
  adamFormula: sftConfigSchema.shape.formula.unwrap().default('tfjs-adam'),
  /** Use at most this many examples (0 = all). */
  maxExamples: z.number().int().nonnegative().default(0),
});

export const Phase1Schema = z.strictObject({
  sft: SftSectionSchema.prefault({}),
  /** Optional defender warm-start SFT (off in the paper); its dataFile is alpaca json, absent = refusal/answer templates. */
  // enable defaults to false on its own: setting another defenderSft key must not switch the warm start on
  defenderSft: SftSectionSchema.extend({ enable: z.boolean().default(false) }).prefault({}),
});

export const GameConfigSchema = z.strictObject({
  data: DataSchema.prefault({}),
  model: z
    .strictObject({ attacker: ModelSpecSchema.prefault({}), defender: ModelSpecSchema.prefault({}) })
    .prefault({}),
  rollout: RolloutSectionSchema.prefault({}),
  reward: RewardSectionSchema.prefault({}),
  grpo: GrpoSectionSchema.prefault({}),
  switchAgent: SwitchAgentSchema.prefault({}),
  trainer: TrainerSectionSchema.prefault({}),
  phase1: Phase1Schema.prefault({}),
  validation: ValidationSectionSchema.prefault({}),
});

export type GameConfig = z.output<typeof GameConfigSchema>;
export type GameConfigInput = z.input<typeof GameConfigSchema>;
export type SwitchAgentConfig = z.output<typeof SwitchAgentSchema>;
export type SftConfig = z.output<typeof SftSectionSchema>;
export type ValidationConfig = z.output<typeof ValidationSectionSchema>;
