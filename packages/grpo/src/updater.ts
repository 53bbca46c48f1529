import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { AdamW, AdamWStateDictSchema, type AdamWUpdate } from './adamw.js';
import { groupByUid } from './advantages.js';
import { aggregateLoss } from './aggregate-loss.js';
import { chunk, firstMaskedColumn, rowsTensor, splitMiniBatches, validateGrpoBatch } from './batch.js';
import { checkAdvantages, computeBatchAdvantages, type GrpoAdvantages } from './batch-advantages.js';
import { type GrpoConfig, type GrpoConfigInput, GrpoConfigSchema } from './config.js';
import { GrpoConfigError, GrpoInputError } from './errors.js';
import { type AxpyInPlace, accumulateGradients, clipByGlobalNorm, type SumOfSquares } from './grad-clip.js';
import { klPenalty } from './kl-penalty.js';
import { learningRateAt } from './lr-schedule.js';
import { computeLogProbsNoGrad, type LogProbRows } from './old-log-probs.js';
import type { GrpoBatch, Policy, PolicyBatch } from './policy.js';
import { computePolicyLoss } from './policy-loss.js';

/** Everything one micro-batch needs, already as row-index lists into the batch. */
interface Prepared {
  batch: GrpoBatch;
  trainMask: number[][];
  tokenAdvantages: number[][];
  oldLogProbs: number[][];
}

type Scalars = Record<string, tf.Scalar>;

/** A GrpoUpdater's resumable state: the LR scheduler's step and the AdamW state of the policy's variables (by position). */
export const GrpoUpdaterStateDictSchema = z.object({
  schedulerStep: z.number().int().nonnegative(),
  optimizer: AdamWStateDictSchema,
});
export type GrpoUpdaterStateDict = z.infer<typeof GrpoUpdaterStateDictSchema>;

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function pushMetric(acc: Map<string, number[]>, key: string, value: number): void {
  const list = acc.get(key);
  if (list) list.push(value);
  else acc.set(key, [value]);
}

/** Kernels a backend may plug in (the defaults are plain tfjs ops). */
export interface GrpoUpdaterOptions {
  /** AdamW's accelerated per-variable step, e.g. @magic/tensor's fused in-place `adamwStepInPlace`. */
  adamwUpdate?: AdamWUpdate;
  /** Σ g² per gradient for the global-norm clip, e.g. @magic/tensor's `sumOfSquares`. */
  sumOfSquares?: SumOfSquares;
  /**
   * In-place a·x + b·y, e.g. @magic/tensor's `axpyInPlace`: micro-batch gradients are added into the accumulated
   * ones and the clip scales them without new buffers (two gradient copies fewer at the peak).
   */
  axpyInPlace?: AxpyInPlace;
}

/**
 * GRPO actor update in two seams: `computeAdvantages` (verl's `compute_advantage`), then `step`: (old log-probs) →
 * PPO epochs over seed mini-batches → micro-batch gradient accumulation → global-norm clip → AdamW. One `step()`
 * is one RL step (one scheduler step); `update()` runs both.
 *
 * Micro-batch scaling follows verl with `use_dynamic_bsz`: each micro-batch loss is multiplied by
 * `len(micro) / len(mini)` (in sequences) before its gradient is accumulated, so the mini-batch
 * gradient is the sequence-weighted mean of the micro-batch losses' gradients (with `token-mean`, each
 * micro-batch is token-averaged on its own, exactly as in verl).
 */
export class GrpoUpdater {
  readonly config: GrpoConfig;
  private readonly optimizer: AdamW;
  private readonly sumOfSquares?: SumOfSquares;
  private readonly axpy?: AxpyInPlace;
  private schedulerStep = 0;

  constructor(
    readonly policy: Policy,
    config: GrpoConfigInput = {},
    options: GrpoUpdaterOptions = {},
  ) {
    this.sumOfSquares = options.sumOfSquares;
    this.axpy = options.axpyInPlace;
    const parsed = GrpoConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = defined(parsed.error.issues[0], 'zod issue');
      throw new GrpoConfigError(issue.path.join('.') || '(root)', issue.message);
    }
    this.config = parsed.data;
    if (this.config.entropyCoeff > 0 && !policy.computeLogProbsAndEntropy) {
      throw new GrpoConfigError('entropyCoeff', 'is > 0 but the policy has no computeLogProbsAndEntropy');
    }
    if (this.config.lrScheduler === 'cosine' && this.config.totalTrainingSteps === undefined) {
      throw new GrpoConfigError('totalTrainingSteps', "is required by lrScheduler 'cosine'");
    }
    this.optimizer = new AdamW({
      betas: this.config.betas,
      epsilon: this.config.adamEpsilon,
      weightDecay: this.config.weightDecay,
      ...(options.adamwUpdate ? { update: options.adamwUpdate } : {}),
    });
  }

  /** Learning rate the next `update()` will use. */
  get lr(): number {
    return learningRateAt(this.schedulerStep, this.config);
  }

  /** Number of AdamW steps taken so far. */
  get optimizerSteps(): number {
    return this.optimizer.step;
  }

  /**
   * Runs one GRPO update on `batch`: `computeAdvantages` then `step`. Returns namespaced metrics
   * (`actor/loss`, `actor/pgLoss`, `actor/klLoss`, ...).
   */
  async update(batch: GrpoBatch): Promise<Record<string, number>> {
    return this.step(batch, this.computeAdvantages(batch));
  }

  /** Advantages of `batch` (estimator, std scaling, zero-std masking of the config): the input of `step`. */
  computeAdvantages(batch: GrpoBatch): GrpoAdvantages {
    validateGrpoBatch(batch);
    this.checkBatchFields(batch);
    return computeBatchAdvantages(batch, this.config);
  }

  /** No-grad log-probs of the current policy, `ppoMicroBatchSize` rows at a time (verl's old log-probs). */
  computeOldLogProbs(batch: LogProbRows): Promise<number[][]> {
    return computeLogProbsNoGrad(this.policy, batch, this.microSize(batch.inputIds.length));
  }

  /**
   * One RL step (one scheduler step) on `batch` with `advantages` from `computeAdvantages`: old log-probs (from
   * the batch, else computed now) → PPO epochs over seed mini-batches → micro-batch gradient accumulation →
   * global-norm clip → AdamW.
   */
  async step(batch: GrpoBatch, advantages: GrpoAdvantages): Promise<Record<string, number>> {
    const { batchSize } = validateGrpoBatch(batch);
    this.checkBatchFields(batch);
    const adv = checkAdvantages(advantages, batch);
    const prepared: Prepared = {
      batch,
      trainMask: adv.trainMask,
      tokenAdvantages: adv.tokenAdvantages,
      oldLogProbs: batch.oldLogProbs ?? (await this.computeOldLogProbs(batch)),
    };
    const lr = this.lr;
    const acc = new Map<string, number[]>();
    const groupsPerMini = this.config.ppoMiniBatchSize ?? adv.numGroups;
    const miniBatches = splitMiniBatches(groupByUid(batch.uids).groups, groupsPerMini);
    let skipped = 0;
    for (let epoch = 0; epoch < this.config.ppoEpochs; epoch++) {
      for (const rows of miniBatches) {
        if (!rows.some((r) => at(prepared.trainMask, r, 'trainMask').some((m) => m > 0))) continue;
        const stepped = await this.miniBatchStep(prepared, rows, lr, acc);
        if (!stepped) skipped++;
      }
    }
    this.schedulerStep += 1;
    return this.summarise(batch, adv, prepared, acc, { lr, skipped, batchSize });
  }

  /** The scheduler step and the AdamW state (host copies), e.g. for a checkpoint; `loadStateDict` restores it. */
  async stateDict(): Promise<GrpoUpdaterStateDict> {
    return {
      schedulerStep: this.schedulerStep,
      optimizer: await this.optimizer.stateDict(this.policy.trainableVariables),
    };
  }

  /** Restores `stateDict()`'s result (validated against this policy's variables); the next `step` continues the run. */
  loadStateDict(dict: GrpoUpdaterStateDict): void {
    const parsed = GrpoUpdaterStateDictSchema.safeParse(dict);
    if (!parsed.success) {
      const issue = defined(parsed.error.issues[0], 'zod issue');
      throw new GrpoInputError(`stateDict.${issue.path.join('.')}`, issue.message);
    }
    this.optimizer.loadStateDict(parsed.data.optimizer, this.policy.trainableVariables);
    this.schedulerStep = parsed.data.schedulerStep;
  }

  /** Frees the optimiser state (the policy's variables are the caller's). */
  dispose(): void {
    this.optimizer.dispose();
  }

  private checkBatchFields(batch: GrpoBatch): void {
    if (this.config.useKlLoss && !batch.refLogProbs) {
      throw new GrpoInputError('refLogProbs', 'is required when useKlLoss is on');
    }
    if ((this.config.clipMode === 'turn' || this.config.lossAggMode === 'turn') && !batch.turnIds) {
      throw new GrpoInputError('turnIds', "is required by clipMode/lossAggMode 'turn'");
    }
  }

  /** The rows' tokens; log-probs are needed from the first response column on (the loss is masked before it). */
  private policyBatch(batch: GrpoBatch, rows: readonly number[]): PolicyBatch {
    return {
      inputIds: rowsTensor(batch.inputIds, rows, 'int32'),
      attentionMask: rowsTensor(batch.attentionMask, rows, 'int32'),
      fromPosition: firstMaskedColumn(batch.responseMask, rows),
    };
  }

  private microSize(miniRows: number): number {
    return this.config.ppoMicroBatchSize ?? miniRows;
  }

  private microLoss(p: Prepared, rows: readonly number[], scale: number, kept: Scalars): tf.Scalar {
    const c = this.config;
    const pb = this.policyBatch(p.batch, rows);
    const mask = rowsTensor(p.trainMask, rows, 'float32');
    const turnIds = p.batch.turnIds ? rowsTensor(p.batch.turnIds, rows, 'int32') : undefined;
    const withEntropy = this.policy.computeLogProbsAndEntropy?.(pb, { entropyGrad: c.entropyCoeff > 0 });
    const logProbs = withEntropy ? withEntropy.logProbs : this.policy.computeLogProbs(pb);
    const pl = computePolicyLoss(
      {
        logProbs,
        oldLogProbs: rowsTensor(p.oldLogProbs, rows, 'float32'),
        advantages: rowsTensor(p.tokenAdvantages, rows, 'float32'),
        responseMask: mask,
        turnIds,
      },
      c,
    );
    const aggOpts = { turnIds };
    const mode = c.lossAggMode;
    let loss: tf.Scalar = pl.pgLoss;
    Object.assign(kept, {
      pgLoss: pl.pgLoss,
      pgClipfrac: pl.pgClipfrac,
      ppoKl: pl.ppoKl,
      pgClipfracLower: pl.pgClipfracLower,
    });
    if (withEntropy) {
      const entropy = aggregateLoss(withEntropy.entropy, mask, mode, aggOpts);
      kept.entropy = entropy;
      if (c.entropyCoeff > 0) loss = tf.sub(loss, tf.mul(entropy, c.entropyCoeff));
    }
    if (c.useKlLoss) {
      const kld = klPenalty(
        logProbs,
        rowsTensor(defined(p.batch.refLogProbs, 'refLogProbs'), rows, 'float32'),
        c.klLossType,
      );
      const klLoss = aggregateLoss(kld, mask, mode, aggOpts);
      kept.klLoss = klLoss;
      loss = tf.add(loss, tf.mul(klLoss, c.klLossCoef));
    }
    // the total objective (pg − entropy bonus + KL term) as `actor/loss`, so every coefficient shows in a metric
    kept.loss = loss === pl.pgLoss ? tf.clone(loss) : loss;
    for (const t of Object.values(kept)) tf.keep(t);
    return tf.mul(loss, scale);
  }

  private async miniBatchStep(p: Prepared, rows: number[], lr: number, acc: Map<string, number[]>): Promise<boolean> {
    let grads: Record<string, tf.Tensor> = {};
    const vars = this.policy.trainableVariables;
    try {
      for (const micro of chunk(rows, this.microSize(rows.length))) {
        const kept: Scalars = {};
        try {
          const { value, grads: g } = tf.variableGrads(
            () => this.microLoss(p, micro, micro.length / rows.length, kept),
            vars,
          );
          value.dispose();
          grads = accumulateGradients(grads, g, this.axpy);
          for (const [k, t] of Object.entries(kept)) pushMetric(acc, `actor/${k}`, (await t.data())[0] ?? Number.NaN);
        } finally {
          tf.dispose(Object.values(kept));
        }
      }
      const clipped = await clipByGlobalNorm(grads, this.config.gradClip, this.sumOfSquares, this.axpy);
      try {
        pushMetric(acc, 'actor/gradNorm', clipped.norm);
        if (!Number.isFinite(clipped.norm)) return false;
        this.optimizer.apply(vars, clipped.grads, lr);
        return true;
      } finally {
        tf.dispose(Object.values(clipped.grads));
      }
    } finally {
      tf.dispose(Object.values(grads));
    }
  }

  private summarise(
    batch: GrpoBatch,
    adv: GrpoAdvantages,
    p: Prepared,
    acc: Map<string, number[]>,
    info: { lr: number; skipped: number; batchSize: number },
  ): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of acc) out[k] = mean(v);
    out['actor/lr'] = info.lr;
    out['actor/numOptimizerSteps'] = acc.get('actor/gradNorm')?.length ?? 0;
    out['actor/numSkippedSteps'] = info.skipped;
    const tokenAdv = p.tokenAdvantages.flatMap((row, b) => {
      const mask = at(p.trainMask, b, 'trainMask');
      return row.filter((_, t) => at(mask, t, 'trainMask row') > 0);
    });
    Object.assign(out, stats('critic/advantages', tokenAdv), stats('critic/rewards', batch.rewards));
    out['critic/fracRewardZeroStd'] = adv.fracRewardZeroStd;
    const lengths = batch.responseMask.map((row) => row.reduce((a, m) => a + (m > 0 ? 1 : 0), 0));
    Object.assign(out, stats('responseLength', lengths));
    out['batch/size'] = info.batchSize;
    out['batch/numGroups'] = adv.numGroups;
    return out;
  }
}

function stats(prefix: string, xs: readonly number[]): Record<string, number> {
  if (xs.length === 0) return { [`${prefix}/mean`]: 0, [`${prefix}/max`]: 0, [`${prefix}/min`]: 0 };
  return {
    [`${prefix}/mean`]: mean(xs),
    [`${prefix}/max`]: Math.max(...xs),
    [`${prefix}/min`]: Math.min(...xs),
  };
}
