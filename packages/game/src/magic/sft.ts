import { scheduledLearningRate } from '@magic/core';
import type { AdamWUpdate } from '@magic/grpo';
import { type CausalLM, type SftConfigInput, SftTrainer, type TokenizedExample } from '@magic/lm';
import type { ChatMessage } from '@magic/rollout';
import type * as tf from '@tensorflow/tfjs-core';
import type { SftConfig } from '../config/schema.js';
import { SeededRng } from '../trainer/rng.js';

/** What supervised fine-tuning needs from a model (@magic/lm's CausalLM satisfies it). */
export interface SftModel {
  trainableVariables: tf.Variable[];
  tokenizer: {
    encode(text: string): number[];
    applyChatTemplate(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean }): string;
    eosTokenIds: number[];
    padTokenId: number;
  };
  tokenLogProbs(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D): { logProbs: tf.Tensor2D };
}

export interface SftExample {
  inputIds: number[];
  /** 1 on the assistant reply's tokens (the labels), else 0. */
  labelMask: number[];
}

/**
 * Tokenises a chat whose last message is the assistant's reply: labels are the reply's tokens
 * (prefix = the chat up to the generation prompt). Longer than `maxLength`: the prompt is cut from
 * the left (the reply is kept whole while it fits, then cut at its end).
 */
export function tokenizeSftExample(model: SftModel, messages: ChatMessage[], maxLength: number): SftExample {
  const prefix = model.tokenizer.encode(
    model.tokenizer.applyChatTemplate(messages.slice(0, -1), { addGenerationPrompt: true }),
  );
  const full = model.tokenizer.encode(model.tokenizer.applyChatTemplate(messages, { addGenerationPrompt: false }));
  const shared = prefix.every((id, i) => full[i] === id) ? prefix.length : 0;
  const labels = full.map((_, i) => (i >= shared ? 1 : 0));
  const reply = full.length - shared;
  const start = full.length <= maxLength ? 0 : reply >= maxLength ? shared : full.length - maxLength;
  return { inputIds: full.slice(start, start + maxLength), labelMask: labels.slice(start, start + maxLength) };
}

/**
 * LR multiplier at optimizer step `i` of `total` (linear warm-up, then cosine / linear / constant): `@magic/core`'s
 * schedule with the section's formulas (by default phase 1's: warm-up `(i+1)/(warm+1)`, the decay reaching 0 on the
 * last step).
 */
export function lrFactor(
  i: number,
  total: number,
  cfg: Pick<SftConfig, 'warmupRatio' | 'lrScheduler'> & Partial<Pick<SftConfig, 'warmup' | 'decayEnd'>>,
): number {
  return scheduledLearningRate(i, {
    scheduler: cfg.lrScheduler,
    warmupSteps: Math.floor(total * cfg.warmupRatio),
    totalSteps: total,
    warmup: cfg.warmup ?? 'from-first-step',
    decayEnd: cfg.decayEnd ?? 'at-last-step',
  });
}

/** Padded widths are multiples of this: few distinct tensor shapes, so GPU buffer pools can reuse buffers. */
export const SFT_PAD_MULTIPLE = 64;

/**
 * The phase-1 section as @magic/lm's SftTrainer config for a run of `totalSteps`: the same schedule as `lrFactor`,
 * AdamW, clipping at global norm 1 and the token mean over each whole batch (micro-batching changes no number).
 */
export function sftTrainerConfig(cfg: SftConfig, totalSteps: number): SftConfigInput {
  return {
    learningRate: cfg.lr,
    weightDecay: cfg.weightDecay,
    eps: cfg.adamEpsilon,
    formula: cfg.adamFormula,
    maxGradNorm: 1,
    schedule: cfg.lrScheduler,
    warmupSteps: Math.floor(totalSteps * cfg.warmupRatio),
    warmup: cfg.warmup,
    decayEnd: cfg.decayEnd,
    totalSteps,
    batchSize: cfg.batchSize,
    maxLength: cfg.maxLength,
    padToMultipleOf: SFT_PAD_MULTIPLE,
    lossReduction: 'token-mean',
  };
}

export interface SftResult {
  steps: number;
  firstLoss: number;
  lastLoss: number;
  meanLoss: number;
  examples: number;
}

function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Supervised fine-tuning (phase 1) on @magic/lm's SftTrainer: seeded shuffling per epoch (the last batch of an
 * epoch may be short), label = the assistant reply, batches in micro-batches of `microBatchSize`. Every tensor is freed.
 */
export async function runSft(
  model: CausalLM,
  chats: ChatMessage[][],
  cfg: SftConfig,
  opts: {
    seed: number;
    onStep?: (step: number, total: number, loss: number) => void;
    /** The AdamW's accelerated path (SftTrainer's default: the fused WebGPU kernel); null: the plain math. */
    adamwUpdate?: AdamWUpdate | null;
  },
): Promise<SftResult> {
  const rng = new SeededRng(opts.seed);
  const pool = cfg.maxExamples > 0 ? rng.shuffle(chats).slice(0, cfg.maxExamples) : [...chats];
  const examples = pool
    .map((c) => tokenizeSftExample(model, c, cfg.maxLength))
    .filter((e) => e.labelMask.some((m) => m));
  const perEpoch = Math.ceil(examples.length / cfg.batchSize);
  const total = Math.max(1, Math.ceil(perEpoch * cfg.epochs));
  const trainer = new SftTrainer(
    model,
    sftTrainerConfig(cfg, total),
    opts.adamwUpdate === undefined ? {} : { adamwUpdate: opts.adamwUpdate },
  );
  const losses: number[] = [];
  let order: SftExample[] = [];
  try {
    for (let step = 0; step < total; step++) {
      if (step % perEpoch === 0) order = rng.shuffle(examples);
      const batch = order.slice((step % perEpoch) * cfg.batchSize, ((step % perEpoch) + 1) * cfg.batchSize);
      const tokenized = batch.map((e): TokenizedExample => ({ ids: e.inputIds, lossMask: e.labelMask }));
      const log = await trainer.trainStep(chunks(tokenized, cfg.microBatchSize ?? cfg.batchSize));
      losses.push(log.loss);
      opts.onStep?.(step + 1, total, log.loss);
      await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    trainer.dispose();
  }
  return {
    steps: total,
    firstLoss: losses[0] ?? Number.NaN,
    lastLoss: losses.at(-1) ?? Number.NaN,
    meanLoss: losses.reduce((a, b) => a + b, 0) / Math.max(1, losses.length),
    examples: examples.length,
  };
}
