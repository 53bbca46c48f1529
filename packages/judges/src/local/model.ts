import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { GuardModelError } from '../errors.js';
import type { GuardTask } from './dataset.js';
import { defaultFeatureOptions, type FeatureOptions, featurize, type SparseVector } from './features.js';
import { type LogisticHead, predictProbability } from './logistic.js';

const headFileSchema = z.object({
  bias: z.number(),
  /** Weights quantised to int16: w = q · scale; little-endian, base64. */
  scale: z.number().positive(),
  weights: z.string(),
});

const metricsSchema = z.object({
  n: z.number(),
  positives: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  accuracy: z.number(),
});

export const localGuardFileSchema = z.object({
  format: z.literal('magic-local-guard'),
  version: z.literal(1),
  seed: z.number().int(),
  features: z.object({
    dims: z.number().int().positive(),
    charNgrams: z.array(z.number().int().positive()),
    maxChars: z.number().int().positive(),
  }),
  thresholds: z.object({ prompt: z.number(), refusal: z.number(), response: z.number() }),
  heads: z.object({ prompt: headFileSchema, refusal: headFileSchema, response: headFileSchema }),
  /** Held-out validation metrics per task, written by `magic-guard train`. */
  validation: z.record(z.string(), metricsSchema).default({}),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type LocalGuardFile = z.output<typeof localGuardFileSchema>;

/** The three heads plus feature settings. */
export interface LocalGuardModel {
  features: FeatureOptions;
  thresholds: Record<GuardTask, number>;
  heads: Record<GuardTask, LogisticHead>;
  file?: LocalGuardFile;
}

/** The feature fields each head reads. */
export function taskFeatures(
  task: GuardTask,
  prompt: string,
  text: string,
  options: FeatureOptions = defaultFeatureOptions,
): SparseVector {
  if (task === 'prompt') return featurize([['p:', text]], options);
  if (task === 'refusal') return featurize([['r:', text]], options);
  return featurize(
    [
      ['r:', text],
      ['p:', prompt],
    ],
    options,
  );
}

export function scoreTask(model: LocalGuardModel, task: GuardTask, prompt: string, text: string): number {
  return predictProbability(model.heads[task], taskFeatures(task, prompt, text, model.features));
}

function encodeHead(head: LogisticHead): z.output<typeof headFileSchema> {
  const max = head.weights.reduce((m, w) => Math.max(m, Math.abs(w)), 0) || 1;
  const scale = max / 32767;
  const q = Int16Array.from(head.weights, (w) => Math.round(w / scale));
  return { bias: head.bias, scale, weights: Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64') };
}

function decodeHead(file: string, task: string, head: z.output<typeof headFileSchema>, dims: number): LogisticHead {
  const bytes = Buffer.from(head.weights, 'base64');
  if (bytes.byteLength !== dims * 2)
    throw new GuardModelError(
      file,
      `expected ${dims} int16 weights, got ${bytes.byteLength} bytes`,
      `heads.${task}.weights`,
    );
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  const q = new Int16Array(aligned.buffer);
  const weights = Float32Array.from(q, (v) => v * head.scale);
  return { weights, bias: head.bias };
}

export function serializeLocalGuard(
  model: LocalGuardModel,
  extra: { seed: number; validation: LocalGuardFile['validation']; data: Record<string, unknown> },
): LocalGuardFile {
  return {
    format: 'magic-local-guard',
    version: 1,
    seed: extra.seed,
    features: {
      dims: model.features.dims,
      charNgrams: [...model.features.charNgrams],
      maxChars: model.features.maxChars,
    },
    thresholds: model.thresholds,
    heads: {
      prompt: encodeHead(model.heads.prompt),
      refusal: encodeHead(model.heads.refusal),
      response: encodeHead(model.heads.response),
    },
    validation: extra.validation,
    data: extra.data,
  };
}

export function saveLocalGuardFile(path: string, file: LocalGuardFile) {
  writeFileSync(path, `${JSON.stringify(file)}\n`);
}

/** Loads and validates a weights file; errors are GuardModelError naming the file and field. */
export function loadLocalGuardFile(path: string): LocalGuardModel {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new GuardModelError(path, `cannot read weights: ${(e as Error).message}`);
  }
  const parsed = localGuardFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GuardModelError(path, issue?.message ?? 'invalid weights file', issue?.path.join('.'));
  }
  const file = parsed.data;
  const dims = file.features.dims;
  return {
    features: file.features,
    thresholds: file.thresholds,
    heads: {
      prompt: decodeHead(path, 'prompt', file.heads.prompt, dims),
      refusal: decodeHead(path, 'refusal', file.heads.refusal, dims),
      response: decodeHead(path, 'response', file.heads.response, dims),
    },
    file,
  };
}
