import { z } from 'zod';

const RoleSchema = z.enum(['attacker', 'defender']);
const DecodingSchema = z.enum(['auto', 'greedy', 'sample']);

/**
 * Rollout configuration. Defaults follow MAGIC's script (grpo_public.sh) unless noted; all lengths
 * are in tokens and apply per turn, as in verl.
 */
export const RolloutConfigSchema = z.object({
  /** 1 = single-turn game, 3 = the paper's multi-turn game. */
  maxNumTurns: z.number().int().min(1).default(1),
  /** Longest prompt (the role's whole rendered chat) allowed for one turn. */
  maxPromptLength: z.number().int().positive().default(8192),
  /** Most new tokens per turn (verl max_response_length). */
  maxResponseLength: z.number().int().positive().default(6144),
  /** Optional budget for one role's whole sequence (prompt + new tokens) in a turn; caps maxNewTokens. */
  maxTotalLength: z.number().int().positive().optional(),
  /** stop_when_truncated: a listed role whose turn hit the length limit ends the episode (code 3). */
  stopWhenTruncated: z.boolean().default(true),
  stopWhenTruncatedRoles: z.array(RoleSchema).default(['defender']),
  /**
   * Defender's first user message from turn 2 on: 'first-attack' (the paper's intent: the first
   * attacker prompt) or 'latest-attack' (the original code's quirk: the latest prompt, shown twice;
   * the defender's sequence is then not append-only across turns).
   */
  defenderFirstMessage: z.enum(['first-attack', 'latest-attack']).default('first-attack'),
  /**
   * Guard check after each defender turn (2 guard calls), early stop with code 4 on harm.
   * 'every-turn' = the original (single-turn included), 'multi-turn' = only when maxNumTurns > 1, 'off'.
   */
  guardCheck: z.enum(['every-turn', 'multi-turn', 'off']).default('every-turn'),
  /** A guard call that throws: 'throw' aborts the rollout; 'record' stores the error and does not stop. */
  guardErrors: z.enum(['throw', 'record']).default('throw'),
  /** Defender text sent to the guard: whole reply, or `<answer>` content (REWARD_MODEL_USE_ANSWER_TAGS=1). */
  defenderResponseForGuard: z.enum(['full', 'answer-tags']).default('full'),
  /**
   * 'auto': attacker greedy while the defender trains (one shared attack per group), else sampled.
   * 'sample-shared': sampled, and while the defender trains the n copies of a seed share one sampled attack (as
   * 'auto' shares its greedy one), so the group's rewards differ only by the defender's answers; one sampled attack
   * per copy while the attacker trains.
   */
  attackerDecoding: z.enum(['auto', 'greedy', 'sample', 'sample-shared']).default('auto'),
  /** 'auto': defender sampled while a role trains, greedy when trainingRole is 'none'. */
  defenderDecoding: DecodingSchema.default('auto'),
  temperature: z.number().min(0).default(1),
  topP: z.number().gt(0).max(1).default(1),
  topK: z.number().int().default(-1),
  /** Base seed for sampling; each generate call gets seed + call index. */
  seed: z.number().int().optional(),
  /**
   * use_adversarial_prompt_for_defender (off in MAGIC's script): during defender training the defender (and the
   * guard) see the seed's `adversarial` text instead of the attacker's answer, when the seed has one.
   */
  useAdversarialPromptForDefender: z.boolean().default(false),
  /**
   * fallback_to_adversarial_on_harmful_rewrite (off in MAGIC's script): a benign seed whose rewrite the guard's
   * prompt moderation calls unsafe/controversial is replaced by the seed's `adversarial` text (one extra guard call).
   */
  fallbackToAdversarialOnHarmfulRewrite: z.boolean().default(false),
  /**
   * skip_attacker_generation_for_defender (off in MAGIC's script): during defender training the attacker is not
   * run for seeds that have an `adversarial` text; that text is its message (never labelled).
   */
  skipAttackerGenerationForDefender: z.boolean().default(false),
  /** Defender system prompt; absent = no system message, so the chat template's default (Qwen: "You are Qwen..."). */
  defenderSystemPrompt: z.string().optional(),
});

export type RolloutConfigInput = z.input<typeof RolloutConfigSchema>;
export type RolloutConfig = z.output<typeof RolloutConfigSchema>;

/** One seed of the game (a dataset row). */
export const SeedSchema = z.object({
  /** The vanilla prompt (extra_info.raw_prompt); also the last fallback of the attacker prompt. */
  question: z.string(),
  dataType: z.enum(['vanilla_harmful', 'vanilla_benign']),
  /**
   * The attacker's task: the dataset's first user message (HARM/BENIGN template + the seed). When
   * absent it is built from the attacker prompts' templates.
   */
  attackerTemplate: z.string().optional(),
  /** WildJailbreak adversarial rewrite, if any (carried through, unused by default). */
  adversarial: z.string().optional(),
  /** Group id; a uuid is generated when absent. */
  uid: z.string().optional(),
  groundtruth: z.unknown().optional(),
});
export type Seed = z.output<typeof SeedSchema>;
export type SeedInput = z.input<typeof SeedSchema>;
