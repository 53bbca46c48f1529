import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedTensors, parseQwen2Config, type Qwen2Config } from '@magic/lm';
import { EvalInputError } from '../errors.js';

/** A model dir's config.json, parsed as @magic/lm reads it. */
export function readModelConfig(modelDir: string): Qwen2Config {
  const file = join(modelDir, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new EvalInputError(file, `cannot read the model config (${(e as Error).message})`, { cause: e });
  }
  return parseQwen2Config(raw, file);
}

/** Parameters of a Qwen2 shape (tied embeddings counted once). */
export function parameterCount(config: Qwen2Config): number {
  return expectedTensors(config).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
}
