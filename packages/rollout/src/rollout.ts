import { at } from '@magic/core';
import type { z } from 'zod';
import { type AttackerPrompts, AttackerPromptsSchema, defaultAttackerPrompts } from './attacker-prompts.js';
import {
  type RolloutConfig,
  type RolloutConfigInput,
  RolloutConfigSchema,
  type SeedInput,
  SeedSchema,
} from './config.js';
import type { Episode } from './episode.js';
import { createEpisodeStates, type EpisodeState, finalizeEpisode } from './episode-state.js';
import { RemoteTrainedRoleError, RolloutInputError } from './errors.js';
import { emptyFinishCounts, type RolloutEmitter, type TurnEndEvent } from './events.js';
import { finishReasonName } from './finish-codes.js';
import { applyAdversarialFallback, guardCheckEnabled, runGuardChecks } from './guard-check.js';
import {
  applyResult,
  applySkippedAttacker,
  applyStopWhenTruncated,
  generateTurns,
  prepareTurn,
  skippedAttackerText,
  type TurnContext,
} from './role-turn.js';
import type { Generator, Role, RolloutGuard, SamplingOptions, TrainingRole } from './types.js';

export interface RolloutInput {
  seeds: SeedInput[];
  /** Copies per seed (the GRPO group size). */
  n: number;
  attacker: Generator;
  defender: Generator;
  /** Required unless config.guardCheck is 'off' (or 'multi-turn' with maxNumTurns 1). */
  guard?: RolloutGuard;
  trainingRole: TrainingRole;
  /** Attacker system prompts and HARM/BENIGN templates; default: `@magic/attack-pool`'s MAGIC prompts. */
  attackerPrompts?: AttackerPrompts;
  config?: RolloutConfigInput;
  events?: RolloutEmitter;
  signal?: AbortSignal;
}

/** zod parse whose failure is a RolloutInputError naming the first bad field. */
function parseInput<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = at(r.error.issues, 0, 'issues of a failed parse');
  throw new RolloutInputError([field, ...issue.path.map(String)].join('.'), issue.message);
}

/** The trained role must be token-exact and trainable (a remote, text-only generator is refused). */
export function checkGenerators(generators: Record<Role, Generator>, trainingRole: TrainingRole): void {
  if (trainingRole === 'none') return;
  const generator = generators[trainingRole];
  if (!generator.trainable || !generator.tokenExact) throw new RemoteTrainedRoleError(trainingRole, generator.id);
}

/**
 * Sampling per role. 'auto': the attacker is greedy unless it is being trained (so during defender
 * steps all n copies share one attack); the defender samples unless nothing is trained (evaluation).
 */
export function samplingFor(
  role: Role,
  trainingRole: TrainingRole,
  config: RolloutConfig,
  turn: number,
): SamplingOptions {
  const mode = role === 'attacker' ? config.attackerDecoding : config.defenderDecoding;
  const greedy =
    mode === 'greedy' ||
    (mode === 'auto' && (role === 'attacker' ? trainingRole !== 'attacker' : trainingRole === 'none'));
  const seed = config.seed === undefined ? undefined : config.seed + 7919 * (2 * turn + (role === 'attacker' ? 0 : 1));
  return { temperature: greedy ? 0 : config.temperature, topP: config.topP, topK: config.topK, seed };
}

interface TurnStats {
  requests: Record<Role, number>;
  generatedTokens: Record<Role, number>;
  generationMs: Record<Role, number>;
  guardMs: number;
}

async function runRolePhase(
  ctx: TurnContext,
  role: Role,
  states: EpisodeState[],
  turn: number,
  trainingRole: TrainingRole,
  stats: TurnStats,
): Promise<void> {
  const started = performance.now();
  const skipped = new Set<EpisodeState>();
  for (const s of role === 'attacker' ? states : []) {
    const text = skippedAttackerText(ctx, s);
    if (text === undefined) continue;
    applySkippedAttacker(s, text, turn);
    skipped.add(s);
  }
  const prepared = states.flatMap((s) => (skipped.has(s) ? [] : (prepareTurn(ctx, role, s, turn) ?? [])));
  const sampling = samplingFor(role, trainingRole, ctx.config, turn);
  const shareSampled =
    role === 'attacker' && ctx.config.attackerDecoding === 'sample-shared' && trainingRole === 'defender';
  const { results, requests } = await generateTurns(ctx.generators[role], prepared, sampling, {
    dedupe: shareSampled,
  });
  for (const [i, p] of prepared.entries()) {
    stats.generatedTokens[role] += applyResult(ctx, role, p, at(results, i, 'generation results'), turn);
  }
  stats.requests[role] += requests;
  stats.generationMs[role] += performance.now() - started;
}

const open = (states: EpisodeState[]) => states.filter((s) => s.finishCode === null);

async function runTurn(
  ctx: TurnContext,
  input: RolloutInput,
  states: EpisodeState[],
  turn: number,
): Promise<TurnEndEvent> {
  const started = performance.now();
  const active = open(states);
  const stats: TurnStats = {
    requests: { attacker: 0, defender: 0 },
    generatedTokens: { attacker: 0, defender: 0 },
    generationMs: { attacker: 0, defender: 0 },
    guardMs: 0,
  };
  await runRolePhase(ctx, 'attacker', active, turn, input.trainingRole, stats);
  applyStopWhenTruncated(ctx, 'attacker', active, turn);
  if (ctx.config.fallbackToAdversarialOnHarmfulRewrite && input.guard) {
    await applyAdversarialFallback(input.guard, open(active), input.signal);
  }
  const defending = open(active);
  await runRolePhase(ctx, 'defender', defending, turn, input.trainingRole, stats);
  const answered = open(defending);
  if (guardCheckEnabled(ctx.config) && input.guard) {
    const guardStarted = performance.now();
    await runGuardChecks(input.guard, ctx.config, answered, turn, input.signal);
    stats.guardMs = performance.now() - guardStarted;
  }
  applyStopWhenTruncated(ctx, 'defender', defending, turn);
  const finished = emptyFinishCounts();
  for (const s of active)
    if (s.finishCode !== null && s.finishedAtTurn === turn) finished[finishReasonName(s.finishCode)]++;
  return { turn, activeEpisodes: active.length, finished, ...stats, durationMs: performance.now() - started };
}

/**
 * Plays the attacker -> defender game for every seed x n copies, up to maxNumTurns turns, and returns
 * one Episode per copy (interleaved: all copies of seed 0, then seed 1, ...). See spec §4.
 */
export async function runRollout(input: RolloutInput): Promise<Episode[]> {
  const started = performance.now();
  const config = parseInput(RolloutConfigSchema, input.config ?? {}, 'config');
  const seeds = input.seeds.map((s, i) => parseInput(SeedSchema, s, `seeds[${i}]`));
  const generators = { attacker: input.attacker, defender: input.defender };
  checkGenerators(generators, input.trainingRole);
  if ((guardCheckEnabled(config) || config.fallbackToAdversarialOnHarmfulRewrite) && !input.guard) {
    throw new RolloutInputError('guard', `required when config.guardCheck is '${config.guardCheck}'`);
  }
  if (!Number.isInteger(input.n) || input.n < 1) {
    throw new RolloutInputError('n', `must be a positive integer, got ${input.n}`);
  }
  const ctx: TurnContext = {
    config,
    generators,
    trainingRole: input.trainingRole,
    attackerPrompts: parseInput(
      AttackerPromptsSchema,
      input.attackerPrompts ?? defaultAttackerPrompts,
      'attackerPrompts',
    ),
  };
  const states = createEpisodeStates(seeds, input.n, generators, config.defenderFirstMessage === 'first-attack');
  input.events?.emit('rollout-start', {
    numSeeds: seeds.length,
    numEpisodes: states.length,
    n: input.n,
    maxNumTurns: config.maxNumTurns,
    trainingRole: input.trainingRole,
  });
  const generatedTokens = { attacker: 0, defender: 0 };
  for (let turn = 0; turn < config.maxNumTurns && open(states).length > 0; turn++) {
    input.signal?.throwIfAborted();
    const event = await runTurn(ctx, input, states, turn);
    generatedTokens.attacker += event.generatedTokens.attacker;
    generatedTokens.defender += event.generatedTokens.defender;
    input.events?.emit('turn-end', event);
  }
  const episodes = states.map((s) => finalizeEpisode(s, config.maxNumTurns));
  const finishCounts = emptyFinishCounts();
  for (const e of episodes) finishCounts[e.finishReason]++;
  input.events?.emit('rollout-end', {
    numEpisodes: episodes.length,
    finishCounts,
    meanNumTurns: episodes.reduce((a, e) => a + e.numTurns, 0) / Math.max(1, episodes.length),
    generatedTokens,
    durationMs: performance.now() - started,
  });
  return episodes;
}
