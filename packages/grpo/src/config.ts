import { z } from 'zod';

/**
 * GrpoUpdater configuration. Defaults are MAGIC's (paper + `grpo_public.sh`, verl fork); field names
 * follow verl/TRL in camelCase.
 */
export const GrpoConfigSchema = z
  .object({
    /** Advantage estimator: `'grpo'` (default) or `'rloo'`. */
    advEstimator: z.enum(['grpo', 'rloo']).default('grpo'),
    /** Std added to the GRPO denominator. Default 1e-6 (verl). */
    epsilon: z.number().nonnegative().default(1e-6),
    /** verl `norm_adv_by_std_in_grpo`; false = Dr. GRPO (only subtract the group mean). Default true. */
    normAdvByStd: z.boolean().default(true),
    /** TRL `scale_rewards`: divide by the group std, the batch std, or not at all. Default `'group'`. */
    scaleRewards: z.enum(['group', 'batch', 'none']).default('group'),
    /** Drop groups whose rewards are all equal (zero std) from the loss (DAPO-like filtering). Default false. */
    maskZeroStdGroups: z.boolean().default(false),
    /** Peak learning rate. Default 1e-6 (MAGIC). */
    lr: z.number().positive().default(1e-6),
    /** `'constant'` (MAGIC) or `'cosine'` decay after warmup. Default `'constant'`. */
    lrScheduler: z.enum(['constant', 'cosine']).default('constant'),
    /** Linear warmup length in scheduler steps (one step per `update()` call, as verl). Default 0. */
    lrWarmupSteps: z.number().int().nonnegative().default(0),
    /** Total scheduler steps, needed by `'cosine'`. */
    totalTrainingSteps: z.number().int().positive().optional(),
    /** Cosine floor as a fraction of `lr` (verl `min_lr_ratio`). Default 0. */
    minLrRatio: z.number().min(0).max(1).default(0),
    /** Cosine cycles (verl `num_cycles`). Default 0.5 (half a cosine, lr → floor). */
    numCycles: z.number().positive().default(0.5),
    /** AdamW decoupled weight decay (torch `p ← p − lr·wd·p`). Default 0.01 (verl actor optim). */
    weightDecay: z.number().nonnegative().default(0.01),
    /** AdamW β1, β2. Default [0.9, 0.999]. */
    betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.9, 0.999]),
    /** AdamW ε. Default 1e-8. */
    adamEpsilon: z.number().positive().default(1e-8),
    /** Global-norm gradient clip (verl `grad_clip`); steps with a non-finite norm are skipped. Default 1.0. */
    gradClip: z.number().positive().default(1.0),
    /** PPO lower clip ε. Default 0.2. */
    clipRatioLow: z.number().min(0).max(1).default(0.2),
    /** PPO upper clip ε; 0.28 for DAPO clip-higher. Default 0.2. */
    clipRatioHigh: z.number().nonnegative().default(0.2),
    /** Dual-clip constant for negative advantages. Default 3.0. */
    clipRatioC: z.number().gt(1).default(3.0),
    /** Upper clamp of the log-ratio before exp (MAGIC `log_ratio_clip_c`). Default 3.0. */
    logRatioClip: z.number().positive().default(3.0),
    /** `'token'` (MAGIC) or `'turn'` (ratio from the turn-averaged log-ratio; needs `turnIds`). Default `'token'`. */
    clipMode: z.enum(['token', 'turn']).default('token'),
    /** Loss aggregation (verl `loss_agg_mode` + MAGIC `trajectory`/`turn`). Default `'token-mean'`. */
    lossAggMode: z
      .enum([
        'token-mean',
        'seq-mean-token-sum',
        'seq-mean-token-mean',
        'seq-mean-token-sum-norm',
        'trajectory',
        'turn',
      ])
      .default('token-mean'),
    /** PPO epochs over each batch. Default 1. */
    ppoEpochs: z.number().int().positive().default(1),
    /** Mini-batch size in **seed groups** (uids); one optimiser step each. Default: the whole batch. */
    ppoMiniBatchSize: z.number().int().positive().optional(),
    /** Micro-batch size in sequences (gradient accumulation). Default: the whole mini-batch. */
    ppoMicroBatchSize: z.number().int().positive().optional(),
    /** Add `klLossCoef · KL(π‖π_ref)` to the loss (needs `refLogProbs`). Default false (MAGIC). */
    useKlLoss: z.boolean().default(false),
    /** KL loss coefficient. Default 0.001 (verl). */
    klLossCoef: z.number().nonnegative().default(0.001),
    /** KL estimator. Default `'low_var_kl'` (k3). */
    klLossType: z.enum(['kl', 'k1', 'abs', 'mse', 'k2', 'low_var_kl', 'k3']).default('low_var_kl'),
    /** Entropy bonus coefficient (loss −= coeff · entropy). Default 0 (MAGIC). */
    entropyCoeff: z.number().nonnegative().default(0),
  })
  .strict();

/** Config as the user writes it (every field optional). */
export type GrpoConfigInput = z.input<typeof GrpoConfigSchema>;
/** Config with defaults filled in. */
export type GrpoConfig = z.output<typeof GrpoConfigSchema>;
