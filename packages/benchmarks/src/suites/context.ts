import { at } from '@magic/core';
import { chunk, mapWithConcurrency } from '../concurrency.js';
import { EvaluationError } from '../errors.js';
import { type GenerationCache, generationKey } from '../generation-cache.js';
import type { JudgedSample } from '../metrics/safety.js';
import type { ChatMessage, ChatTarget, GenerationParams, GuardLike, GuardLikeVerdict } from '../types.js';

export interface ProgressEvent {
  task: string;
  phase: 'generate' | 'judge' | 'score';
  done: number;
  total: number;
}

/** What every task runner shares within one runSuite call. */
export interface EvalContext {
  target: ChatTarget | undefined;
  judge: GuardLike | undefined;
  cache: GenerationCache;
  generation: GenerationParams;
  concurrency: number;
  batchSize: number;
  seed: number;
  bootstrapSamples: number;
  isParseFailure: (error: unknown) => boolean;
  /** The text the judge sees of a reply: `<answer>` extracted and cut to the judge token budget (spec §7). */
  judgeText: (response: string) => string;
  onProgress: (event: ProgressEvent) => void;
  stats: { generated: number; cached: number; judgeCalls: number };
}

/** Default parse-failure test: a typed error whose `code` mentions "parse" (e.g. @magic/judges GuardParseError). */
export function defaultIsParseFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.toLowerCase().includes('parse');
}

export function requireTarget(ctx: EvalContext, task: string): ChatTarget {
  if (!ctx.target) throw new EvaluationError('this task needs a target', task);
  return ctx.target;
}

export function requireJudge(ctx: EvalContext, task: string): GuardLike {
  if (!ctx.judge) throw new EvaluationError('this task needs a judge', task);
  return ctx.judge;
}

/**
 * Generates one text per chat through the cache: cached chats are never sent again; the rest go to
 * `generator` in batches of `batchSize`, `concurrency` batches at a time, and are cached as they return.
 */
export async function cachedGenerate(
  ctx: EvalContext,
  generator: ChatTarget,
  chats: ChatMessage[][],
  task: string,
): Promise<string[]> {
  const keys = chats.map((chat) => generationKey(generator.id, chat, ctx.generation));
  const texts: (string | undefined)[] = keys.map((k) => ctx.cache.get(k));
  const missing = texts.flatMap((t, i) => (t === undefined ? [i] : []));
  ctx.stats.cached += chats.length - missing.length;
  let done = chats.length - missing.length;
  await mapWithConcurrency(chunk(missing, ctx.batchSize), ctx.concurrency, async (indices) => {
    const replies = await generator.generate(
      indices.map((i) => at(chats, i, 'chats')),
      ctx.generation,
    );
    if (replies.length !== indices.length)
      throw new EvaluationError(`${generator.id} returned ${replies.length} texts for ${indices.length} chats`, task);
    ctx.stats.generated += indices.length;
    await Promise.all(indices.map((i, j) => ctx.cache.set(at(keys, i, 'keys'), at(replies, j, 'replies'))));
    indices.forEach((i, j) => {
      texts[i] = at(replies, j, 'replies');
    });
    done += indices.length;
    ctx.onProgress({ task, phase: 'generate', done, total: chats.length });
  });
  return texts.map((t) => t ?? '');
}

/** Eval-time reading of a verdict: unsafe = harmful; controversial = NOT harmful (spec §7); refusal yes/no, absent = null. */
export function readVerdict(verdict: GuardLikeVerdict): { harmful: boolean; refusal: boolean | null } {
  return {
    harmful: verdict.safety === 'unsafe',
    refusal: verdict.refusal === undefined ? null : verdict.refusal === 'yes',
  };
}

/** Calls `fn`; a parse failure (per ctx.isParseFailure) becomes null, any other error propagates. */
export async function orParseFailure<T>(ctx: EvalContext, fn: () => Promise<T>): Promise<T | null> {
  ctx.stats.judgeCalls += 1;
  try {
    return await fn();
  } catch (e) {
    if (ctx.isParseFailure(e)) return null;
    throw e;
  }
}

/** Judges (prompt, response) pairs with the guard, `concurrency` at a time. */
export async function judgeResponses(
  ctx: EvalContext,
  task: string,
  items: {
    id: string;
    judgePrompt: string;
    response: string;
    category?: string | undefined;
    adversarial?: boolean | undefined;
  }[],
): Promise<(JudgedSample & { judgedResponse: string })[]> {
  const judge = requireJudge(ctx, task);
  let done = 0;
  return mapWithConcurrency(items, ctx.concurrency, async (item) => {
    const judgedResponse = ctx.judgeText(item.response);
    const verdict = await orParseFailure(ctx, () => judge.moderateResponse(item.judgePrompt, judgedResponse));
    done += 1;
    ctx.onProgress({ task, phase: 'judge', done, total: items.length });
    const read = verdict === null ? { harmful: null, refusal: null } : readVerdict(verdict);
    return { id: item.id, ...read, category: item.category, adversarial: item.adversarial, judgedResponse };
  });
}

/** A row field as a string (typed error naming the task and field otherwise). */
export function stringField(row: unknown, field: string, task: string): string {
  const value = (row as Record<string, unknown>)[field];
  if (typeof value !== 'string') throw new EvaluationError(`row field ${field} is not a string`, task);
  return value;
}

/** A row field as an optional category string (null/absent/non-string → undefined). */
export function categoryOf(row: unknown, field: string | undefined): string | undefined {
  if (field === undefined) return undefined;
  const value = (row as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
