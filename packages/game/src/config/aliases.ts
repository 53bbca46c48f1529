import { ConfigError } from '../errors.js';

/** Original MAGIC/verl dotted keys (snake_case) and the camelCase keys they set here. */
export const KEY_ALIASES: Readonly<Record<string, string>> = {
  'data.max_prompt_length': 'rollout.maxPromptLength',
  'data.max_response_length': 'rollout.maxResponseLength',
  'data.train_batch_size': 'data.trainBatchSize',
  // verl validates the whole val set in batches of this size; here it is the size of each set
  'data.val_batch_size': 'validation.setSize',
  'data.train_files': 'data.trainFiles',
  'data.val_files': 'data.valFiles',
  'data.shuffle': 'data.shuffle',
  'actor_rollout_ref.rollout.max_num_turns': 'rollout.maxNumTurns',
  'actor_rollout_ref.rollout.stop_when_truncated': 'rollout.stopWhenTruncated',
  'actor_rollout_ref.rollout.n': 'rollout.n',
  'actor_rollout_ref.rollout.temperature': 'rollout.temperature',
  'actor_rollout_ref.rollout.top_p': 'rollout.topP',
  'actor_rollout_ref.rollout.top_k': 'rollout.topK',
  'actor_rollout_ref.actor.optim.lr': 'grpo.lr',
  'actor_rollout_ref.actor.clip_ratio_low': 'grpo.clipRatioLow',
  'actor_rollout_ref.actor.clip_ratio_high': 'grpo.clipRatioHigh',
  'actor_rollout_ref.actor.clip_ratio_c': 'grpo.clipRatioC',
  'actor_rollout_ref.actor.entropy_coeff': 'grpo.entropyCoeff',
  'actor_rollout_ref.actor.use_kl_loss': 'grpo.useKlLoss',
  'actor_rollout_ref.actor.kl_loss_coef': 'grpo.klLossCoef',
  'actor_rollout_ref.actor.ppo_mini_batch_size': 'grpo.ppoMiniBatchSize',
  'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu': 'grpo.ppoMicroBatchSize',
  'actor_rollout_ref.actor.ppo_epochs': 'grpo.ppoEpochs',
  'actor_rollout_ref.model.enable_gradient_checkpointing': 'grpo.gradientCheckpointing',
  'actor_rollout_ref.actor.grad_clip': 'grpo.gradClip',
  'actor_rollout_ref.actor.loss_agg_mode': 'grpo.lossAggMode',
  'actor_rollout_ref.actor.clip_mode': 'grpo.clipMode',
  'actor_rollout_ref.actor.optim.weight_decay': 'grpo.weightDecay',
  'actor_rollout_ref.actor.optim.warmup_style': 'grpo.lrScheduler',
  'actor_rollout_ref.actor.optim.lr_warmup_steps': 'grpo.lrWarmupSteps',
  'actor_rollout_ref.actor.optim.min_lr_ratio': 'grpo.minLrRatio',
  'actor_rollout_ref.actor.optim.num_cycles': 'grpo.numCycles',
  'actor_rollout_ref.actor.optim.total_training_steps': 'grpo.totalTrainingSteps',
  'actor_rollout_ref.actor.kl_loss_type': 'grpo.klLossType',
  'algorithm.adv_estimator': 'grpo.advEstimator',
  'algorithm.norm_adv_by_std_in_grpo': 'grpo.normAdvByStd',
  'trainer.total_training_steps': 'trainer.totalSteps',
  'trainer.test_freq': 'trainer.testFreq',
  'trainer.save_freq': 'trainer.saveFreq',
  'trainer.val_before_train': 'trainer.valBeforeTrain',
  'trainer.default_local_dir': 'trainer.runDir',
  'reward_model.format_reward_roles': 'reward.formatRewardRoles',
  'reward_model.mask_unfinished_reward': 'reward.maskUnfinishedReward',
};

/** Every key under this original prefix maps to the camelCase prefix, the rest camel-cased. */
export const PREFIX_ALIASES: Readonly<Record<string, string>> = {
  'algorithm.switch_agent.': 'switchAgent.',
};

/** The original's environment variables (reward knobs, judge endpoint) and how they parse. */
export const ENV_ALIASES: Readonly<Record<string, { key: string; type: 'number' | 'bool01' | 'string' }>> = {
  REWARD_HARM: { key: 'reward.rewardHarm', type: 'number' },
  REWARD_REFUSAL: { key: 'reward.rewardRefusal', type: 'number' },
  REWARD_LABEL: { key: 'reward.rewardLabel', type: 'number' },
  FORMAT_REWARD_VALUE: { key: 'reward.formatRewardValue', type: 'number' },
  USE_Q_SAFE_LABEL_FOR_REFUSAL: { key: 'reward.useQSafeLabelForRefusal', type: 'bool01' },
  REWARD_MODEL_USE_ANSWER_TAGS: { key: 'reward.useAnswerTags', type: 'bool01' },
  SAFETY_SCORE_MODE: { key: 'reward.safetyScoreMode', type: 'string' },
  SAFETY_RULE_SCORE_MIN: { key: 'reward.ruleJudge.scoreMin', type: 'number' },
  SAFETY_RULE_SCORE_MAX: { key: 'reward.ruleJudge.scoreMax', type: 'number' },
  WILDGUARD_API_ENDPOINT: { key: 'reward.guard.endpoint', type: 'string' },
};

export function snakeToCamel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** One (canonical key, value) pair; `model_paths` fans out to both agents. */
export type Assignment = [key: string, value: unknown];

/** Maps one dotted key (original or canonical) to canonical assignments. */
export function resolveAlias(key: string, value: unknown, source: string): Assignment[] {
  const exact = KEY_ALIASES[key];
  if (exact !== undefined) return [[exact, value]];
  for (const [prefix, target] of Object.entries(PREFIX_ALIASES)) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    if (rest === 'model_paths') return modelPaths(key, value, source);
    // only the first part is renamed: role names inside update_ratio / metric_switch_map stay as they are
    const parts = rest.split('.').map((part, i) => (i === 0 ? snakeToCamel(part) : part));
    return [[target + parts.join('.'), value]];
  }
  return [[key, value]];
}

function modelPaths(key: string, value: unknown, source: string): Assignment[] {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'string')) {
    throw new ConfigError(key, source, 'expected a list of two paths [attacker, defender]');
  }
  return [
    ['model.attacker.path', value[0]],
    ['model.defender.path', value[1]],
  ];
}

/** Reads the original's environment variables into canonical assignments. */
export function envAssignments(env: Readonly<Record<string, string | undefined>>): Assignment[] {
  const out: Assignment[] = [];
  for (const [name, spec] of Object.entries(ENV_ALIASES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    out.push([spec.key, parseEnvValue(name, raw, spec.type)]);
    if (name === 'WILDGUARD_API_ENDPOINT') out.push(['reward.guard.kind', 'remote']);
  }
  return out;
}

function parseEnvValue(name: string, raw: string, type: 'number' | 'bool01' | 'string'): unknown {
  const source = `env ${name}`;
  if (type === 'string') return raw;
  if (type === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new ConfigError(name, source, `expected a number, got '${raw}'`);
    return n;
  }
  const v = raw.trim().toLowerCase();
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new ConfigError(name, source, `expected 0/1 or true/false, got '${raw}'`);
}
