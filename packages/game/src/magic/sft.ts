import { scheduledLearningRate } from '@magic/core';
import { accumulateGradients } from '@magic/grpo';
import type { ChatMessage } from '@magic/rollout';
import * as tf from '@tensorflow/tfjs-core';
import type { SftConfig } from '../config/schema.js';
import { SeededRng } from '../trainer/rng.js';
import { addMany } from './add-many.js';

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
 * schedule with phase 1's formulas kept, warm-up `(i+1)/(warm+1)` and the decay reaching 0 on the last step.
 */
export function lrFactor(i: number, total: number, cfg: Pick<SftConfig, 'warmupRatio' | 'lrScheduler'>): number {
  return scheduledLearningRate(i, {
    scheduler: cfg.lrScheduler,
    warmupSteps: Math.floor(total * cfg.warmupRatio),
    totalSteps: total,
    warmup: 'from-first-step',
    decayEnd: 'at-last-step',
  });
}

/** Padded widths are multiples of this: few distinct tensor shapes, so GPU buffer pools can reuse buffers. */
export const SFT_PAD_MULTIPLE = 64;

function pad(rows: number[][], value: number, width: number): number[][] {
  return rows.map((r) => [...r, ...new Array<number>(width - r.length).fill(value)]);
}

/** Masked negative log-likelihood summed over the batch's labels, divided by `labelCount` (differentiable). */
function sftLoss(
  model: SftModel,
  ids: number[][],
  mask: number[][],
  labels: number[][],
  labelCount: number,
): tf.Scalar {
  const { logProbs } = model.tokenLogProbs(tf.tensor2d(ids, undefined, 'int32'), tf.tensor2d(mask, undefined, 'int32'));
  const lab = tf.tensor2d(labels, undefined, 'float32');
  return tf.neg(tf.div(tf.sum(tf.mul(logProbs, lab)), Math.max(labelCount, 1))) as tf.Scalar;
}

export interface SftResult {
  steps: number;
  firstLoss: number;
  lastLoss: number;
  meanLoss: number;
  examples: number;
}

/**
 * Supervised fine-tuning (phase 1): Adam with the schedule of `cfg`, gradient clipping at
 * global norm 1, seeded shuffling, label = the assistant reply. Every tensor is freed.
 */
export async function runSft(
  model: SftModel,
  chats: ChatMessage[][],
  cfg: SftConfig,
  opts: { seed: number; onStep?: (step: number, total: number, loss: number) => void },
): Promise<SftResult> {
  const rng = new SeededRng(opts.seed);
  const pool = cfg.maxExamples > 0 ? rng.shuffle(chats).slice(0, cfg.maxExamples) : [...chats];
  const examples = pool
    .map((c) => tokenizeSftExample(model, c, cfg.maxLength))
    .filter((e) => e.labelMask.some((m) => m));
  const perEpoch = Math.ceil(examples.length / cfg.batchSize);
  const total = Math.max(1, Math.ceil(perEpoch * cfg.epochs));
  const optimizer = tf.train.adam(cfg.lr);
  const settable = optimizer as unknown as { learningRate: number };
  const losses: number[] = [];
  let order: SftExample[] = [];
  try {
    for (let step = 0; step < total; step++) {
      if (step % perEpoch === 0) order = rng.shuffle(examples);
      const batch = order.slice((step % perEpoch) * cfg.batchSize, ((step % perEpoch) + 1) * cfg.batchSize);
      settable.learningRate = cfg.lr * lrFactor(step, total, cfg);
      const loss = await sftStep(model, optimizer, batch, cfg.microBatchSize ?? cfg.batchSize);
      losses.push(loss);
      opts.onStep?.(step + 1, total, loss);
      await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    optimizer.dispose();
  }
  return {
    steps: total,
    firstLoss: losses[0] ?? Number.NaN,
    lastLoss: losses.at(-1) ?? Number.NaN,
    meanLoss: losses.reduce((a, b) => a + b, 0) / Math.max(1, losses.length),
    examples: examples.length,
  };
}

/**
 * One optimizer step over `batch` in micro-batches of `microBatchSize` (gradients accumulated; the loss is the
 * token mean over the whole batch, as without micro-batching). Rows are right-padded to a multiple of
 * SFT_PAD_MULTIPLE (masked, so the loss is unchanged). The loss is read back asynchronously (WebGPU has no
 * synchronous readback in Node).
 */
async function sftStep(
  model: SftModel,
  optimizer: tf.Optimizer,
  batch: SftExample[],
  microBatchSize: number,
): Promise<number> {
  const labelCount = batch.reduce((a, e) => a + e.labelMask.reduce((x, m) => x + m, 0), 0);
  let grads: tf.NamedTensorMap = {};
  let loss: tf.Scalar | undefined;
  try {
    for (let start = 0; start < batch.length; start += microBatchSize) {
      const micro = batch.slice(start, start + microBatchSize);
      const longest = Math.max(...micro.map((e) => e.inputIds.length));
      const width = Math.ceil(longest / SFT_PAD_MULTIPLE) * SFT_PAD_MULTIPLE;
      const ids = pad(
        micro.map((e) => e.inputIds),
        model.tokenizer.padTokenId,
        width,
      );
      const mask = pad(
        micro.map((e) => e.inputIds.map(() => 1)),
        0,
        width,
      );
      const labels = pad(
        micro.map((e) => e.labelMask),
        0,
        width,
      );
      const { value, grads: g } = tf.variableGrads(
        () => sftLoss(model, ids, mask, labels, labelCount),
        model.trainableVariables,
      );
      grads = accumulateGradients(grads, g);
      const total = loss ? tf.add(loss, value) : tf.clone(value);
      tf.dispose([loss, value]);
      loss = total as tf.Scalar;
    }
    tf.tidy(() => {
      const names = Object.keys(grads);
      const norm = tf.sqrt(addMany(names.map((n) => tf.sum(tf.square(grads[n]!)))));
      const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(1), tf.add(norm, 1e-6)));
      const clipped: tf.NamedTensorMap = {};
      for (const n of names) clipped[n] = tf.mul(grads[n]!, scale);
      optimizer.applyGradients(clipped);
    });
    return (await loss!.data())[0]!;
  } finally {
    tf.dispose(Object.values(grads));
    loss?.dispose();
  }
}
