import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { at, defined, scheduledLearningRate } from '@magic/core';
import { ADAMW_FORMULAS, AdamW, type AdamWStateDict, type AdamWUpdate } from '@magic/grpo';
import { loadSafetensorsFile, type SafetensorsSaveDtype, saveSafetensorsFile } from '@magic/tensor';
import { adamwStepInPlace } from '@magic/tensor/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { CausalLM } from './causal-lm.js';
import { readJsonFile } from './checkpoint-io.js';
import { LmCheckpointError, LmConfigError } from './errors.js';
import { globalNorm, globalSquareSum } from './global-norm.js';
import { Rng } from './rng.js';
import { type ChatRecord, padBatch, type TokenizedExample, tokenizeChat } from './sft-data.js';
import { namedWeights } from './weights.js';

export const sftConfigSchema = z.object({
  learningRate: z.number().positive().default(1e-5),
  weightDecay: z.number().min(0).default(0.01),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  eps: z.number().positive().default(1e-8),
  /**
   * Rounding order of the step. 'torch' (default): @magic/grpo's AdamW, the clip coefficient in float64.
   * 'tfjs-adam': the game's phase 1 before it ran on SftTrainer, bit for bit: tf.train.adam's update (AdamW's
   * 'tfjs-adam' formula), the clip coefficient `min(1, maxGradNorm/(‖g‖+1e-6))` in float32 on the device and the
   * loss summed in float32.
   */
  formula: z.enum(ADAMW_FORMULAS).default('torch'),
  /** Clip gradients to this global norm (0 = no clipping). */
  maxGradNorm: z.number().min(0).default(1),
  schedule: z.enum(['cosine', 'constant', 'linear']).default('cosine'),
  warmupSteps: z.number().int().min(0).default(0),
  /**
   * Warm-up formula (see @magic/core's LrSchedule): 'from-zero' `lr·step/warmup` (transformers, default) or
   * 'from-first-step' `lr·(step+1)/(warmup+1)` (the game's phase 1 before it ran on SftTrainer).
   */
  warmup: z.enum(['from-zero', 'from-first-step']).default('from-zero'),
  /** Where the decay reaches its floor: 'after-last-step' (transformers, default) or 'at-last-step'. */
  decayEnd: z.enum(['after-last-step', 'at-last-step']).default('after-last-step'),
  minLrRatio: z.number().min(0).max(1).default(0),
  totalSteps: z.number().int().positive(),
  /** Examples per micro-batch. */
  batchSize: z.number().int().positive().default(4),
  gradAccumSteps: z.number().int().positive().default(1),
  maxLength: z.number().int().positive().default(1024),
  /** Pad each micro-batch's length up to a multiple of this (HF's pad_to_multiple_of): fewer distinct shapes to compile on WebGPU. */
  padToMultipleOf: z.number().int().positive().default(1),
  /**
   * HF's group_by_length: each epoch's shuffled order is cut into mega-batches of 50 optimizer steps, each sorted
   * by length, so that a micro-batch holds examples of similar length (less padding, same examples per epoch).
   */
  groupByLength: z.boolean().default(false),
  /**
   * How the micro-batch losses of one optimizer step combine. 'micro-batch-mean' (default): each micro-batch's
   * token mean, averaged over the micro-batches. 'token-mean': the token mean over the whole step (every label token
   * weighs the same, as transformers >= 4.46 with num_items_in_batch).
   */
  lossReduction: z.enum(['micro-batch-mean', 'token-mean']).default('micro-batch-mean'),
  /** Evaluate every N optimizer steps (0 = never). */
  evalEvery: z.number().int().min(0).default(0),
  seed: z.number().int().default(0),
});
export type SftConfig = z.output<typeof sftConfigSchema>;
export type SftConfigInput = z.input<typeof sftConfigSchema>;

export interface SftLog {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
  evalLoss?: number;
  /** Tokens (padding excluded) in this step's micro-batches. */
  tokens: number;
}

export interface SaveCheckpointOptions {
  /** Also write the AdamW moments (default true); without them a resume is a warm restart of the optimizer. */
  optimizer?: boolean;
  /** Storage dtype of the model weights (default F32). */
  dtype?: SafetensorsSaveDtype;
}

/** Kernels a backend may plug in. */
export interface SftTrainerOptions {
  /**
   * The AdamW's accelerated per-variable update. Default: @magic/tensor's fused in-place `adamwStepInPlace` on
   * WebGPU (it declines elsewhere and the optimizer's own math runs); null: always the optimizer's own math.
   */
  adamwUpdate?: AdamWUpdate | null;
}

export interface TrainOptions {
  evalSet?: ChatRecord[];
  /** Like evalSet, already tokenized (pretraining blocks). */
  evalTokenized?: TokenizedExample[];
  steps?: number;
  onLog?: (log: SftLog) => void;
}

const STATE_FILE = 'trainer_state.json';
const OPTIMIZER_FILE = 'optimizer.safetensors';

const trainerStateSchema = z.object({ step: z.number().int().min(0), config: sftConfigSchema });

function noDecay(name: string): boolean {
  return name.endsWith('.bias') || name.endsWith('norm.weight');
}

function parseConfig(input: SftConfigInput, file: string): SftConfig {
  const r = sftConfigSchema.safeParse(input);
  if (!r.success) {
    const issue = defined(r.error.issues[0], 'zod issue');
    throw new LmConfigError(file, issue.path.join('.'), issue.message);
  }
  return r.data;
}

/** Supervised fine-tuning on chat records: masked CE over assistant tokens, AdamW, clipping, schedules. */
export class SftTrainer {
  readonly model: CausalLM;
  readonly config: SftConfig;
  /** Optimizer steps done. */
  step = 0;
  private readonly optimizer: AdamW;
  private readonly named: [string, tf.Variable][];

  constructor(model: CausalLM, config: SftConfigInput, options: SftTrainerOptions = {}) {
    this.model = model;
    this.config = parseConfig(config, 'SftConfig');
    this.named = namedWeights(model.weights);
    const c = this.config;
    const hfName = new Map(this.named.map(([name, v]) => [v, name]));
    const update = options.adamwUpdate === undefined ? adamwStepInPlace : options.adamwUpdate;
    this.optimizer = new AdamW({
      betas: [c.beta1, c.beta2],
      epsilon: c.eps,
      weightDecay: c.weightDecay,
      decays: (v) => !noDecay(hfName.get(v) ?? v.name),
      formula: c.formula,
      ...(update ? { update } : {}),
    });
    // moments are allocated with the trainer, not inside the first step (a training run's peak is known up front)
    this.optimizer.initState(this.named.map(([, v]) => v));
  }

  /** Learning rate of optimizer step `step` (0-based) under the config's schedule. */
  learningRateAt(step: number): number {
    const c = this.config;
    return scheduledLearningRate(step, {
      lr: c.learningRate,
      scheduler: c.schedule,
      warmupSteps: c.warmupSteps,
      totalSteps: c.totalSteps,
      minLrRatio: c.minLrRatio,
      warmup: c.warmup,
      decayEnd: c.decayEnd,
    });
  }

  /** Masked CE of one micro-batch (a scalar tensor; differentiable): summed over labels, divided by `labels` or their count. */
  private batchLoss(batch: { ids: number[][]; mask: number[][]; lossMask: number[][] }, labels?: number): tf.Scalar {
    return tf.tidy(() => {
      const ids = tf.tensor2d(batch.ids, undefined, 'int32');
      const mask = tf.tensor2d(batch.mask, undefined, 'int32');
      const lossMask = tf.tensor2d(batch.lossMask, undefined, 'float32');
      const { logProbs } = this.model.tokenLogProbs(ids, mask);
      const denominator = labels === undefined ? tf.maximum(tf.sum(lossMask), 1) : Math.max(labels, 1);
      return tf.div(tf.neg(tf.sum(tf.mul(logProbs, lossMask))), denominator) as tf.Scalar;
    });
  }

  private tokenize(records: ChatRecord[], where: string): TokenizedExample[] {
    return records.map((r, i) => tokenizeChat(this.model.tokenizer, r, this.config.maxLength, `${where}[${i}]`));
  }

  /** Examples of micro-batch `k` of optimizer step `step`: a seeded shuffle per epoch, so resuming replays the same order. */
  private microBatch(examples: TokenizedExample[], step: number, k: number): TokenizedExample[] {
    const { batchSize, gradAccumSteps, seed } = this.config;
    const out: TokenizedExample[] = [];
    const start = (step * gradAccumSteps + k) * batchSize;
    for (let j = start; j < start + batchSize; j++) {
      const epoch = Math.floor(j / examples.length);
      const order = this.config.groupByLength
        ? lengthGroupedOrder(examples, seed + epoch, batchSize * gradAccumSteps * 50)
        : epochOrder(examples.length, seed + epoch);
      out.push(at(examples, at(order, j % examples.length, 'order'), 'examples'));
    }
    return out;
  }

  /** One optimizer step (gradAccumSteps micro-batches of the seeded order). */
  private optimizerStep(examples: TokenizedExample[]): Promise<SftLog> {
    const micro = Array.from({ length: this.config.gradAccumSteps }, (_, k) => this.microBatch(examples, this.step, k));
    return this.trainStep(micro);
  }

  /**
   * One optimizer step on the given micro-batches (gradients accumulated, combined by `lossReduction`, clipped to
   * maxGradNorm, AdamW at the schedule's learning rate). For callers that order the data themselves (the game's
   * phase 1); `train` and `trainTokenized` call it with the seeded order.
   */
  async trainStep(microBatches: readonly TokenizedExample[][]): Promise<SftLog> {
    const c = this.config;
    if (microBatches.length === 0 || microBatches.some((m) => m.length === 0)) {
      throw new LmConfigError('trainStep', 'microBatches', 'needs at least one non-empty micro-batch');
    }
    const vars = this.named.map(([, v]) => v);
    const tokenMean = c.lossReduction === 'token-mean';
    const labels = tokenMean
      ? microBatches.flat().reduce((a, e) => a + e.lossMask.reduce((x, m) => x + m, 0), 0)
      : undefined;
    const sums = new Map<string, tf.Tensor>();
    let lossSum = 0;
    let tokens = 0;
    for (const micro of microBatches) {
      for (const e of micro) tokens += e.ids.length;
      const batch = padBatch(micro, this.model.tokenizer.padTokenId, c.padToMultipleOf);
      const { value, grads } = tf.variableGrads(() => this.batchLoss(batch, labels), vars);
      const microLoss = at(await value.data(), 0, 'scalar value');
      // tfjs-adam: the losses summed in float32, as phase 1 did on the device
      lossSum = c.formula === 'tfjs-adam' ? Math.fround(lossSum + microLoss) : lossSum + microLoss;
      value.dispose();
      for (const [name, v] of this.named) {
        const g = defined(grads[v.name], `gradient of ${v.name}`);
        const prev = sums.get(name);
        sums.set(name, prev ? tf.add(prev, g) : tf.clone(g));
        if (prev) prev.dispose();
      }
      tf.dispose(Object.values(grads));
    }
    // token-mean: the micro-batch losses already share the step's label count, so they add up
    const parts = tokenMean ? 1 : microBatches.length;
    try {
      if (parts !== 1) {
        for (const [name, g] of sums) {
          sums.set(name, tf.div(g, parts));
          g.dispose();
        }
      }
      const gradNorm = c.formula === 'tfjs-adam' ? await this.clipOnDevice(sums) : await this.clip(sums);
      const lr = this.learningRateAt(this.step);
      const grads = Object.fromEntries(
        this.named.map(([name, v]) => [v.name, defined(sums.get(name), `gradient sum of ${name}`)]),
      );
      this.optimizer.apply(vars, grads, lr);
      this.step++;
      return { step: this.step, loss: lossSum / parts, gradNorm, lr, tokens };
    } finally {
      tf.dispose([...sums.values()]);
    }
  }

  /** Scales `sums` in place to maxGradNorm (float64 coefficient, only when over it); returns the global norm. */
  private async clip(sums: Map<string, tf.Tensor>): Promise<number> {
    const max = this.config.maxGradNorm;
    const gradNorm = await globalNorm([...sums.values()]);
    const scale = max > 0 && gradNorm > max ? max / (gradNorm + 1e-6) : 1;
    if (scale !== 1) this.scaleAll(sums, scale);
    return gradNorm;
  }

  /** 'tfjs-adam': phase 1's clip, `g·min(1, maxGradNorm/(‖g‖+1e-6))` with the norm and coefficient in float32. */
  private async clipOnDevice(sums: Map<string, tf.Tensor>): Promise<number> {
    const max = this.config.maxGradNorm;
    const norm = tf.tidy(() => tf.sqrt(globalSquareSum([...sums.values()])));
    try {
      if (max > 0) {
        const scale = tf.tidy(() => tf.minimum(1, tf.div(max, tf.add(norm, 1e-6))));
        this.scaleAll(sums, scale);
        scale.dispose();
      }
      return at(await norm.data(), 0, 'gradient norm');
    } finally {
      norm.dispose();
    }
  }

  private scaleAll(sums: Map<string, tf.Tensor>, scale: number | tf.Tensor): void {
    for (const [name, g] of sums) {
      sums.set(name, tf.mul(g, scale));
      g.dispose();
    }
  }

  /** Mean loss over `records` (batches of batchSize, no gradients). */
  async evaluate(records: ChatRecord[]): Promise<number> {
    return this.evaluateTokenized(this.tokenize(records, 'evalSet'));
  }

  /** Mean loss over tokenized examples (batches of batchSize, no gradients). */
  async evaluateTokenized(examples: TokenizedExample[]): Promise<number> {
    let total = 0;
    let n = 0;
    for (let i = 0; i < examples.length; i += this.config.batchSize) {
      const chunk = examples.slice(i, i + this.config.batchSize);
      const loss = this.batchLoss(padBatch(chunk, this.model.tokenizer.padTokenId, this.config.padToMultipleOf));
      total += at(await loss.data(), 0, 'scalar loss') * chunk.length;
      n += chunk.length;
      loss.dispose();
    }
    return total / Math.max(1, n);
  }

  /** Trains until `totalSteps` (or `opts.steps` more steps), evaluating every evalEvery steps. */
  async train(trainSet: ChatRecord[], opts: TrainOptions = {}): Promise<SftLog[]> {
    return this.trainTokenized(this.tokenize(trainSet, 'trainSet'), opts);
  }

  /** Like train, on already tokenized examples (ids + loss mask). */
  async trainTokenized(examples: TokenizedExample[], opts: TrainOptions = {}): Promise<SftLog[]> {
    if (examples.length === 0) throw new LmConfigError('trainSet', '(root)', 'empty training set');
    const until = Math.min(this.config.totalSteps, this.step + (opts.steps ?? Number.POSITIVE_INFINITY));
    const logs: SftLog[] = [];
    while (this.step < until) {
      const log = await this.optimizerStep(examples);
      if (this.config.evalEvery > 0 && log.step % this.config.evalEvery === 0) {
        if (opts.evalTokenized) log.evalLoss = await this.evaluateTokenized(opts.evalTokenized);
        else if (opts.evalSet) log.evalLoss = await this.evaluate(opts.evalSet);
      }
      logs.push(log);
      opts.onLog?.(log);
    }
    return logs;
  }

  /** Writes the model (HF layout), optimizer moments (unless opts.optimizer is false) and trainer state into `dir`. */
  async saveCheckpoint(dir: string, opts: SaveCheckpointOptions = {}): Promise<void> {
    await mkdir(dir, { recursive: true });
    await this.model.save(dir, opts.dtype ? { dtype: opts.dtype } : {});
    await writeFile(join(dir, STATE_FILE), JSON.stringify({ step: this.step, config: this.config }, null, 2));
    if (opts.optimizer === false) return;
    const vars = this.named.map(([, v]) => v);
    const state = await this.optimizer.stateDict(vars);
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    this.named.forEach(([name, v], i) => {
      // a parameter without moments yet (no step taken) is stored as zeros: the state Adam starts from
      const zeros = { shape: [...v.shape], data: new Float32Array(v.size) };
      tensors[`exp_avg.${name}`] = state.state[i]?.expAvg ?? zeros;
      tensors[`exp_avg_sq.${name}`] = state.state[i]?.expAvgSq ?? zeros;
    });
    await saveSafetensorsFile(join(dir, OPTIMIZER_FILE), tensors, { metadata: { step: String(state.step) } });
  }

  /**
   * Restores model, optimizer state and step from saveCheckpoint's folder. With `warmRestart`, a checkpoint
   * saved without optimizer moments resumes with fresh moments (bias correction restarts too).
   */
  static async fromCheckpoint(
    dir: string,
    opts: { warmRestart?: boolean } & SftTrainerOptions = {},
  ): Promise<SftTrainer> {
    const stateFile = join(dir, STATE_FILE);
    const parsed = trainerStateSchema.safeParse(await readJsonFile(stateFile, true));
    if (!parsed.success) {
      const issue = defined(parsed.error.issues[0], 'zod issue');
      throw new LmConfigError(stateFile, issue.path.join('.'), issue.message);
    }
    const model = await CausalLM.fromPretrained(dir);
    const trainer = new SftTrainer(
      model,
      parsed.data.config,
      opts.adamwUpdate === undefined ? {} : { adamwUpdate: opts.adamwUpdate },
    );
    const optFile = join(dir, OPTIMIZER_FILE);
    trainer.step = parsed.data.step;
    if (!(await exists(optFile))) {
      if (opts.warmRestart) return trainer;
      throw new LmCheckpointError(
        optFile,
        '(file)',
        'missing: saved without optimizer state (resume with warmRestart)',
      );
    }
    const st = await loadSafetensorsFile(optFile);
    const state: AdamWStateDict['state'] = trainer.named.map(([name, p]) => {
      const moment = (prefix: 'exp_avg' | 'exp_avg_sq') => {
        const t = st.tensors.get(`${prefix}.${name}`);
        if (!t) throw new LmCheckpointError(optFile, `${prefix}.${name}`, 'missing tensor');
        if (t.shape.join(',') !== p.shape.join(',')) {
          throw new LmCheckpointError(optFile, `${prefix}.${name}`, `shape [${t.shape}] does not match [${p.shape}]`);
        }
        return { shape: t.shape, data: Float32Array.from(t.data) };
      };
      return { expAvg: moment('exp_avg'), expAvgSq: moment('exp_avg_sq') };
    });
    const step = Number(st.metadata.step ?? parsed.data.step);
    trainer.optimizer.loadStateDict(
      { step, state },
      trainer.named.map(([, v]) => v),
    );
    return trainer;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

const groupedCache = new WeakMap<TokenizedExample[], Map<string, number[]>>();
function lengthGroupedOrder(examples: TokenizedExample[], seed: number, mega: number): number[] {
  const bySeed = groupedCache.get(examples) ?? new Map<string, number[]>();
  groupedCache.set(examples, bySeed);
  const key = `${seed}:${mega}`;
  const hit = bySeed.get(key);
  if (hit) return hit;
  const base = epochOrder(examples.length, seed);
  const out: number[] = [];
  for (let i = 0; i < base.length; i += mega) {
    const group = base.slice(i, i + mega);
    group.sort((a, b) => at(examples, b, 'examples').ids.length - at(examples, a, 'examples').ids.length);
    out.push(...group);
  }
  bySeed.set(key, out);
  return out;
}

const orderCache = new Map<string, number[]>();
function epochOrder(n: number, seed: number): number[] {
  const key = `${n}:${seed}`;
  const hit = orderCache.get(key);
  if (hit) return hit;
  const rng = new Rng(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [at(order, j, 'order'), at(order, i, 'order')];
  }
  orderCache.set(key, order);
  return order;
}
