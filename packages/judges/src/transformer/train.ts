import { at, SeededRng } from '@magic/core';
import { AdamW } from '@magic/grpo';
import { type CausalLM, globalNorm, lrMultiplier, namedWeights } from '@magic/lm';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { GuardExample } from '../local/dataset.js';
import { encodeGuardInput, guardHeads } from './encode.js';
import { initGuardHeads, padRight, TransformerGuard } from './transformer-guard.js';

export const trainTransformerGuardOptionsSchema = z.object({
  seed: z.number().int().nonnegative().default(1234),
  epochs: z.number().positive().default(3),
  batchSize: z.number().int().positive().default(32),
  learningRate: z.number().positive().default(1e-3),
  warmupRatio: z.number().min(0).max(1).default(0.06),
  minLrRatio: z.number().min(0).max(1).default(0.1),
  weightDecay: z.number().min(0).default(0.01),
  maxGradNorm: z.number().min(0).default(1),
  /** Tokens per input; longer inputs are clipped (see `encodeGuardInput`). */
  maxLength: z.number().int().positive().default(128),
  /** Stop after this many seconds of optimizer steps (tokenizing not counted; the schedule spans all planned steps). */
  maxSeconds: z.number().positive().optional(),
  thresholds: z
    .object({ prompt: z.number(), refusal: z.number(), response: z.number() })
    .default({ prompt: 0.5, refusal: 0.5, response: 0.5 }),
  /** Requests per forward pass when serving (32). */
  maxBatchSize: z.number().int().positive().default(32),
});
export type TrainTransformerGuardOptions = z.input<typeof trainTransformerGuardOptionsSchema>;

export interface TransformerGuardLog {
  step: number;
  totalSteps: number;
  loss: number;
  gradNorm: number;
  lr: number;
  seconds: number;
}

/** One backbone input with its labels: -1 where a head has no label for it. */
export interface GuardTrainingExample {
  ids: number[];
  labels: [number, number, number];
}

/**
 * Rows to backbone inputs. A prompt/response pair appears once with both its refusal and harm labels (the
 * expanded `refusal` and `response` rows of one reply share an input).
 */
export function guardTrainingExamples(
  tokenizer: CausalLM['tokenizer'],
  rows: readonly GuardExample[],
  maxLength: number,
  /** Token ids by input key, reused across calls with the same tokenizer and maxLength (CV folds share rows). */
  cache?: Map<string, number[]>,
): GuardTrainingExample[] {
  const byKey = new Map<string, GuardTrainingExample>();
  for (const r of rows) {
    const mode = r.task === 'prompt' ? 'prompt' : 'response';
    const prompt = mode === 'prompt' ? r.text : (r.prompt ?? '');
    const response = mode === 'prompt' ? '' : r.text;
    const key = `${mode}\u0000${prompt}\u0000${response}`;
    let e = byKey.get(key);
    if (e === undefined) {
      let ids = cache?.get(key);
      if (ids === undefined) {
        ids = encodeGuardInput(tokenizer, mode, prompt, response, maxLength);
        cache?.set(key, ids);
      }
      e = { ids, labels: [-1, -1, -1] };
      byKey.set(key, e);
    }
    e.labels[guardHeads.indexOf(r.task)] = r.label;
  }
  return [...byKey.values()];
}

/** Seeded batches of similar length (less padding): shuffle, sort within windows of 16 batches, shuffle batches. */
function epochBatches(
  examples: readonly GuardTrainingExample[],
  batchSize: number,
  rng: SeededRng,
): GuardTrainingExample[][] {
  const order = rng.shuffle(examples);
  const window = batchSize * 16;
  const batches: GuardTrainingExample[][] = [];
  for (let s = 0; s < order.length; s += window) {
    const chunk = order.slice(s, s + window).sort((a, b) => a.ids.length - b.ids.length);
    for (let k = 0; k < chunk.length; k += batchSize) batches.push(chunk.slice(k, k + batchSize));
  }
  return rng.shuffle(batches);
}

/** Mean binary cross-entropy over the labelled (example, head) cells of a batch. */
function batchLoss(guard: TransformerGuard, batch: readonly GuardTrainingExample[]): tf.Scalar {
  return tf.tidy(() => {
    const { ids, mask } = padRight(
      batch.map((e) => e.ids),
      guard.lm.tokenizer.padTokenId,
    );
    const logits = guard.logits(tf.tensor2d(ids, undefined, 'int32'), tf.tensor2d(mask, undefined, 'int32'));
    const y = tf.tensor2d(batch.map((e) => e.labels.map((l) => Math.max(l, 0))));
    const m = tf.tensor2d(batch.map((e) => e.labels.map((l) => (l < 0 ? 0 : 1))));
    // Stable BCE with logits: max(x,0) - x*y + log(1 + exp(-|x|)).
    const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.div(tf.sum(tf.mul(bce, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
  });
}

/**
 * Fine-tunes `lm` (taken over by the returned guard) with three fresh heads on `rows`: AdamW (decoupled weight
 * decay, none on norms, biases and embeddings' lookups aside), global-norm clipping, warm-up + cosine.
 */
export async function trainTransformerGuard(
  lm: CausalLM,
  rows: readonly GuardExample[],
  input: TrainTransformerGuardOptions = {},
  onLog?: (log: TransformerGuardLog) => void,
  tokenCache?: Map<string, number[]>,
): Promise<TransformerGuard> {
  const o = trainTransformerGuardOptionsSchema.parse(input);
  const tokenizing = performance.now();
  const examples = guardTrainingExamples(lm.tokenizer, rows, o.maxLength, tokenCache);
  const tokenizeSeconds = (performance.now() - tokenizing) / 1000;
  const started = performance.now();
  const heads = initGuardHeads(lm.config.hiddenSize, o.seed);
  const guard = new TransformerGuard(lm, heads, {
    maxLength: o.maxLength,
    thresholds: o.thresholds,
    maxBatchSize: o.maxBatchSize,
  });
  const named: [string, tf.Variable][] = [
    ...namedWeights(lm.weights),
    ['guard.heads.weight', heads.weight],
    ['guard.heads.bias', heads.bias],
  ];
  const noDecay = (name: string) => name.endsWith('.bias') || name.endsWith('norm.weight');
  const nameOf = new Map(named.map(([name, v]) => [v.name, name]));
  const optimizer = new AdamW({
    betas: [0.9, 0.999],
    epsilon: 1e-8,
    weightDecay: o.weightDecay,
    decays: (v) => !noDecay(nameOf.get(v.name) ?? v.name),
  });
  const rng = new SeededRng(o.seed);
  const perEpoch = Math.ceil(examples.length / o.batchSize);
  const totalSteps = Math.max(1, Math.ceil(perEpoch * o.epochs));
  const warmup = Math.round(totalSteps * o.warmupRatio);
  const vars = named.map(([, v]) => v);
  let step = 0;
  let losses = 0;
  try {
    train: while (step < totalSteps) {
      for (const batch of epochBatches(examples, o.batchSize, rng)) {
        if (step >= totalSteps) break train;
        if (o.maxSeconds !== undefined && (performance.now() - started) / 1000 > o.maxSeconds) break train;
        const { value, grads } = tf.variableGrads(() => batchLoss(guard, batch), vars);
        // keyed by tfjs variable name, as AdamW.apply takes them
        const byName = new Map<string, tf.Tensor>();
        for (const [, v] of named) {
          const g = grads[v.name];
          if (g) byName.set(v.name, g);
        }
        try {
          const gradNorm = await globalNorm([...byName.values()]);
          const scale = o.maxGradNorm > 0 && gradNorm > o.maxGradNorm ? o.maxGradNorm / (gradNorm + 1e-6) : 1;
          if (scale !== 1) for (const [name, g] of byName) byName.set(name, tf.mul(g, scale));
          const lr = o.learningRate * lrMultiplier('cosine', step, warmup, totalSteps, o.minLrRatio);
          optimizer.apply(vars, Object.fromEntries(byName), lr);
          step += 1;
          const loss = at(await value.data(), 0, 'batch loss');
          losses += loss;
          if (onLog && (step % 20 === 0 || step === totalSteps))
            onLog({
              step,
              totalSteps,
              loss: losses / step,
              gradNorm,
              lr,
              seconds: (performance.now() - started) / 1000,
            });
          if (scale !== 1) tf.dispose([...byName.values()]);
        } finally {
          tf.dispose([value, ...Object.values(grads)]);
        }
      }
    }
  } finally {
    optimizer.dispose();
  }
  guard.settings.training = {
    examples: examples.length,
    rows: rows.length,
    steps: step,
    plannedSteps: totalSteps,
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    maxLength: o.maxLength,
    seed: o.seed,
    meanLoss: step === 0 ? null : losses / step,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    tokenizeSeconds: Math.round(tokenizeSeconds * 10) / 10,
  };
  return guard;
}
