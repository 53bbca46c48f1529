import { z } from 'zod';

export const agentRoleSchema = z.enum(['attacker', 'defender']);
export type AgentRole = z.output<typeof agentRoleSchema>;

/** What to do when a judge verdict is missing or its call/parse failed. */
export const judgeFailurePolicySchema = z.enum(['error', 'zero', 'skip-episode', 'legacy-treat-as-safe']);
export type JudgeFailurePolicy = z.output<typeof judgeFailurePolicySchema>;

/** MAGIC reward settings. Defaults follow `grpo_public.sh` (spec §2.4). */
export const rewardConfigSchema = z.object({
  /** REWARD_HARM: r_harm */
  harm: z.number().nonnegative().default(1),
  /** REWARD_REFUSAL: r_ref */
  refusal: z.number().nonnegative().default(0.5),
  /** REWARD_LABEL: r_label (attacker only) */
  label: z.number().nonnegative().default(0),
  /** FORMAT_REWARD_VALUE: r_fmt */
  format: z.number().nonnegative().default(1),
  /** USE_Q_SAFE_LABEL_FOR_REFUSAL: request label for R_ref from the judge's q verdict (fallback data_type). */
  useQSafeLabelForRefusal: z.boolean().default(true),
  /**
   * Where R_ref's refusal verdict comes from: 'guard' = the judge's qa refusal field (the scripts); 'rules' = this
   * package's refusal rules on the defender text (isRefusal: refusal phrases near the start), for judges whose refusal
   * field is unreliable on the policy's outputs, e.g. the local guard on the small model organisms.
   */
  refusalSource: z.enum(['guard', 'rules']).default('guard'),
  /** REWARD_MODEL_USE_ANSWER_TAGS: judge only the defender's `<answer>` content. */
  useAnswerTags: z.boolean().default(false),
  formatRewardRoles: z.array(agentRoleSchema).default(['attacker']),
  maskUnfinishedReward: z.boolean().default(true),
  /** Controversial is unsafe in training and safe in evaluation (spec §2.2, §7). */
  controversialAs: z.enum(['unsafe', 'safe']).default('unsafe'),
  /**
   * `error` throws JudgeFailureError; `zero` gives both roles 0; `skip-episode` marks the episode to drop; and
   * `legacy-treat-as-safe` is the original code (unparseable qa label ⇒ +r_harm — a known reward hole).
   */
  onJudgeFailure: judgeFailurePolicySchema.default('skip-episode'),
});
export type RewardConfig = z.output<typeof rewardConfigSchema>;
export type RewardConfigInput = z.input<typeof rewardConfigSchema>;

/** Presets: `script` = grpo_public.sh (the defaults); `paper` = Tab 6 / Eq. 9 (r_fmt 0.5, request label from the seed). */
export const rewardPresets = {
  script: {},
  paper: { format: 0.5, useQSafeLabelForRefusal: false },
} satisfies Record<string, RewardConfigInput>;
export type RewardPreset = keyof typeof rewardPresets;

export function rewardConfig(input: RewardConfigInput & { preset?: RewardPreset } = {}): RewardConfig {
  const { preset, ...rest } = input;
  return rewardConfigSchema.parse({ ...rewardPresets[preset ?? 'script'], ...rest });
}

type Env = Record<string, string | undefined>;

function envNumber(env: Env, name: string): number | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`environment variable ${name}=${JSON.stringify(v)} is not a number`);
  return n;
}

function envFlag(env: Env, name: string): boolean | undefined {
  const v = env[name]?.trim().toLowerCase();
  if (!v) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error(`environment variable ${name}=${JSON.stringify(v)} is not a boolean (use 1/0)`);
}

/**
 * Reads the original script's variables (REWARD_HARM, REWARD_REFUSAL, REWARD_LABEL, USE_Q_SAFE_LABEL_FOR_REFUSAL,
 * REWARD_MODEL_USE_ANSWER_TAGS, FORMAT_REWARD_VALUE) from `env`, the caller's environment (a CLI passes
 * `process.env`). Unset ones are left out.
 */
export function rewardConfigFromEnv(env: Env): RewardConfigInput {
  const entries: [keyof RewardConfigInput, unknown][] = [
    ['harm', envNumber(env, 'REWARD_HARM')],
    ['refusal', envNumber(env, 'REWARD_REFUSAL')],
    ['label', envNumber(env, 'REWARD_LABEL')],
    ['format', envNumber(env, 'FORMAT_REWARD_VALUE')],
    ['useQSafeLabelForRefusal', envFlag(env, 'USE_Q_SAFE_LABEL_FOR_REFUSAL')],
    ['useAnswerTags', envFlag(env, 'REWARD_MODEL_USE_ANSWER_TAGS')],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as RewardConfigInput;
}
