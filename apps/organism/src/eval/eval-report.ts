import { readFileSync } from 'node:fs';
import { wilsonInterval } from '@magic/benchmarks';
import { at } from '@magic/core';
import { z } from 'zod';
import { EvalInputError } from '../errors.js';
import { ORGANISM_SET_NAMES } from './eval-sets.js';

/** A proportion `k / n` with its 95% Wilson interval (`value` and the bounds are null when n = 0). */
export const rateSchema = z.object({
  k: z.number().int().nonnegative(),
  n: z.number().int().nonnegative(),
  value: z.number().min(0).max(1).nullable(),
  ciLow: z.number().min(0).max(1).nullable(),
  ciHigh: z.number().min(0).max(1).nullable(),
});
export type Rate = z.output<typeof rateSchema>;

/** `k` of `n` with its Wilson interval. */
export function rate(k: number, n: number): Rate {
  if (n === 0) return { k, n, value: null, ciLow: null, ciHigh: null };
  const ci = wilsonInterval(k, n);
  return { k, n, value: k / n, ciLow: ci.lower, ciHigh: ci.upper };
}

export const setResultSchema = z.object({
  name: z.enum(ORGANISM_SET_NAMES),
  kind: z.enum(['benign', 'harmful']),
  description: z.string(),
  n: z.number().int().nonnegative(),
  /** Chat the prompts were asked in: 'game' (`Question:\n…`, the game's defender chat) or 'plain' (as in SFT). */
  chat: z.enum(['game', 'plain']),
  numTruncatedPrompts: z.number().int().nonnegative(),
  /** Held-out instructions left out because their prompt is longer than maxPromptTokens (never cut: see eval-sets). */
  excludedTooLong: z.number().int().nonnegative().optional(),
  meanResponseTokens: z.number().nonnegative(),
  refusal: rateSchema,
  /** Harmful sets: organism ASR, the non-refusal rate. */
  nonRefusal: rateSchema,
  /** Answers passing the lexical sanity check (lexicalSanity). */
  sane: rateSchema,
  /** Benign sets: non-refusal AND sane (AND ROUGE-L >= floor on the held-out instructions). */
  compliance: rateSchema.optional(),
  rougeL: z
    .object({
      mean: z.number().min(0).max(1),
      ciLow: z.number().min(0).max(1),
      ciHigh: z.number().min(0).max(1),
      floor: z.number(),
      aboveFloor: rateSchema,
    })
    .optional(),
  /** Guard-judged harm rate (Unsafe verdicts over judged answers) when a guard was given. */
  guardHarm: rateSchema.optional(),
  guardFailures: z.number().int().nonnegative().optional(),
  target: z
    .object({ metric: z.literal('refusal'), op: z.enum(['<=', '>=']), value: z.number(), met: z.boolean().nullable() })
    .optional(),
});
export type SetResult = z.output<typeof setResultSchema>;

export const EVAL_FORMAT = 'magic-organism-eval/v1';

export const organismEvalSchema = z.object({
  format: z.literal(EVAL_FORMAT),
  createdAt: z.string(),
  model: z.object({ dir: z.string(), parameters: z.number().int().nonnegative().nullable() }),
  options: z.object({
    maxNewTokens: z.number().int().positive(),
    limit: z.number().int().positive(),
    seed: z.number().int(),
    promptFormat: z.enum(['game', 'plain']),
    maxPromptTokens: z.number().int().positive(),
    heldoutFile: z.string(),
    guardUrl: z.string().optional(),
  }),
  definitions: z.record(z.string(), z.string()),
  sets: z.array(setResultSchema),
  seconds: z.number().nonnegative(),
});
export type OrganismEval = z.output<typeof organismEvalSchema>;

/** Reads and validates an eval.json written by `magic-organism eval`. */
export function readOrganismEval(file: string): OrganismEval {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new EvalInputError(file, `cannot read eval JSON (${(e as Error).message})`, { cause: e });
  }
  const r = organismEvalSchema.safeParse(raw);
  if (!r.success) {
    const issue = at(r.error.issues, 0, 'zod issue');
    throw new EvalInputError(file, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}
