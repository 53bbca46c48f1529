import { readFileSync } from 'node:fs';
import { at } from '@magic/core';
import type { Seed } from '@magic/rollout';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** One seed row: MAGIC's raw jsonl `{vanilla, adversarial, data_type}` or this project's `{question, dataType}`. */
const SeedRowSchema = z
  .object({
    vanilla: z.string().min(1).optional(),
    question: z.string().min(1).optional(),
    adversarial: z.string().nullish(),
    data_type: z.enum(['vanilla_harmful', 'vanilla_benign']).optional(),
    dataType: z.enum(['vanilla_harmful', 'vanilla_benign']).optional(),
  })
  .loose()
  .transform((r, ctx) => {
    const question = r.vanilla ?? r.question;
    const dataType = r.data_type ?? r.dataType;
    if (question === undefined) ctx.addIssue({ code: 'custom', message: "needs 'vanilla' or 'question'" });
    if (dataType === undefined) ctx.addIssue({ code: 'custom', message: "needs 'data_type' or 'dataType'" });
    if (question === undefined || dataType === undefined) return z.NEVER;
    return { question, dataType, adversarial: r.adversarial };
  });

/** Reads a jsonl seed file; a bad line is a ConfigError naming file and line. */
export function readSeedFile(path: string): Seed[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('data.trainFiles', path, `cannot read: ${(e as Error).message}`);
  }
  const seeds: Seed[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new ConfigError(`line ${i + 1}`, path, 'invalid JSON');
    }
    const r = SeedRowSchema.safeParse(raw);
    if (!r.success)
      throw new ConfigError(`line ${i + 1}`, path, at(r.error.issues, 0, 'issues of a failed parse').message);
    const row = r.data;
    seeds.push({
      question: row.question,
      dataType: row.dataType,
      ...(row.adversarial ? { adversarial: row.adversarial } : {}),
    });
  });
  if (seeds.length === 0) throw new ConfigError('data.trainFiles', path, 'no seeds');
  return seeds;
}

/**
 * Splits seeds into train and a held-out validation set: `holdout` seeds taken alternately from
 * the harmful and benign seeds (so both kinds are validated), the rest train.
 */
export function holdOutSeeds(seeds: readonly Seed[], holdout: number): { train: Seed[]; val: Seed[] } {
  const harmful = seeds.filter((s) => s.dataType === 'vanilla_harmful');
  const benign = seeds.filter((s) => s.dataType === 'vanilla_benign');
  const val: Seed[] = [];
  for (let i = 0; val.length < holdout && (i < harmful.length || i < benign.length); i++) {
    const [h, b] = [harmful[i], benign[i]];
    if (h !== undefined && val.length < holdout) val.push(h);
    if (b !== undefined && val.length < holdout) val.push(b);
  }
  const held = new Set(val);
  return { train: seeds.filter((s) => !held.has(s)), val };
}
