import { at, defined } from '@magic/core';
import { extractAttackerPrompt, extractThink } from './answer.js';
import { type AttackerPrompts, attackerSystemPrompt, attackerTask } from './attacker-prompts.js';
import { buildAttackerChat, buildDefenderChat } from './chats.js';
import type { RolloutConfig } from './config.js';
import type { HistoryEntry, TokenSequence } from './episode.js';
import { addDummyMessage, assistantSamples, type EpisodeState, finishEpisode } from './episode-state.js';
import { GeneratorOutputError, PromptTooLongError } from './errors.js';
import { FINISH_CODES } from './finish-codes.js';
import { assertAppendOnly, buildPromptSequence, cloneSequence, pushSampledTokens } from './token-splice.js';
import type {
  ChatMessage,
  GenerationRequest,
  GenerationResult,
  Generator,
  Role,
  SamplingOptions,
  TrainingRole,
} from './types.js';

export interface TurnContext {
  config: RolloutConfig;
  generators: Record<Role, Generator>;
  attackerPrompts: AttackerPrompts;
  trainingRole: TrainingRole;
}

/** A turn ready to generate: the chat, its exact prompt ids (token-exact roles) and its token budget. */
export interface PreparedTurn {
  state: EpisodeState;
  messages: ChatMessage[];
  promptSequence?: TokenSequence;
  promptLength?: number;
  maxNewTokens: number;
}

/** The role's chat for this turn (spec §4). */
export function roleChat(ctx: TurnContext, role: Role, state: EpisodeState): ChatMessage[] {
  if (role === 'attacker') {
    const system = attackerSystemPrompt(ctx.attackerPrompts, ctx.config.maxNumTurns);
    return buildAttackerChat(state.history, system, attackerTask(state.seed, ctx.attackerPrompts));
  }
  return buildDefenderChat(state.history, ctx.config.defenderFirstMessage, ctx.config.defenderSystemPrompt);
}

function measurePrompt(
  ctx: TurnContext,
  role: Role,
  state: EpisodeState,
  messages: ChatMessage[],
  turn: number,
): { promptSequence?: TokenSequence; promptLength?: number } {
  const generator = ctx.generators[role];
  const tokenizer = generator.tokenizer;
  if (!tokenizer) return {};
  if (!generator.tokenExact) {
    return {
      promptLength: tokenizer.encode(tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true })).length,
    };
  }
  const track = state[role];
  const promptSequence = buildPromptSequence(tokenizer, messages, assistantSamples(track), { role, turn });
  if (track.appendOnly && track.sequence && track.sequence.inputIds.length > 0) {
    assertAppendOnly(track.sequence.inputIds, promptSequence.inputIds, { role, turn });
  }
  return { promptSequence, promptLength: promptSequence.inputIds.length };
}

/** Ends an episode whose prompt or budget does not fit (code 2; a defender gets a dummy reply). */
function exceedBudget(state: EpisodeState, role: Role, turn: number): null {
  finishEpisode(state, FINISH_CODES.completion_token_exceeded, turn);
  if (role === 'defender') addDummyMessage(state, 'defender', turn);
  return null;
}

/**
 * Builds the chat and prompt ids, and applies the length rules: prompt > maxPromptLength finishes
 * the episode with code 2 (the attacker's first prompt throws PromptTooLongError instead, as in the
 * original); maxNewTokens = min(maxResponseLength, maxTotalLength - prompt length), and a budget
 * of 0 also finishes with code 2. Without a tokenizer (remote role) lengths are not checked.
 */
export function prepareTurn(ctx: TurnContext, role: Role, state: EpisodeState, turn: number): PreparedTurn | null {
  const messages = roleChat(ctx, role, state);
  const { promptSequence, promptLength } = measurePrompt(ctx, role, state, messages, turn);
  const { maxPromptLength, maxResponseLength, maxTotalLength } = ctx.config;
  if (promptLength !== undefined && promptLength > maxPromptLength) {
    if (role === 'attacker' && turn === 0) {
      throw new PromptTooLongError({ role, uid: state.uid, turn, promptLength, maxPromptLength });
    }
    return exceedBudget(state, role, turn);
  }
  let maxNewTokens = maxResponseLength;
  if (maxTotalLength !== undefined && promptLength !== undefined) {
    maxNewTokens = Math.min(maxNewTokens, maxTotalLength - promptLength);
  }
  if (maxNewTokens <= 0) return exceedBudget(state, role, turn);
  return { state, messages, promptSequence, promptLength, maxNewTokens };
}

/**
 * Sends the prepared turns to the role's generator in one batch. With greedy decoding (or `dedupe`) identical
 * prompts (e.g. the n copies of a seed on turn 0) are generated once and the result copied.
 */
export async function generateTurns(
  generator: Generator,
  prepared: PreparedTurn[],
  sampling: SamplingOptions,
  opts: { dedupe?: boolean } = {},
): Promise<{ results: GenerationResult[]; requests: number }> {
  // identical prompts share one generation: always when greedy, when asked for sampled ones (one sample per group)
  const dedupe = sampling.temperature === 0 || opts.dedupe === true;
  const unique = new Map<string, number>();
  const requests: GenerationRequest[] = [];
  // slots[i]: the request whose output prepared[i] gets
  const slots = prepared.map((p, i) => {
    const key = dedupe ? JSON.stringify([p.promptSequence?.inputIds ?? p.messages, p.maxNewTokens]) : String(i);
    const known = unique.get(key);
    if (known !== undefined) return known;
    unique.set(key, requests.length);
    requests.push({ messages: p.messages, promptIds: p.promptSequence?.inputIds, maxNewTokens: p.maxNewTokens });
    return requests.length - 1;
  });
  const outputs = requests.length > 0 ? await generator.generate(requests, sampling) : [];
  if (outputs.length !== requests.length) {
    throw new GeneratorOutputError(generator.id, 'length', `asked ${requests.length} prompts, got ${outputs.length}`);
  }
  return { results: slots.map((slot) => at(outputs, slot, 'generator outputs')), requests: requests.length };
}

function checkTokenExact(generator: Generator, result: GenerationResult): { tokenIds: number[]; logprobs: number[] } {
  if (!result.tokenIds || !result.logprobs) {
    throw new GeneratorOutputError(generator.id, 'tokenIds', 'token-exact generator returned no token ids/log-probs');
  }
  if (result.tokenIds.length !== result.logprobs.length) {
    throw new GeneratorOutputError(generator.id, 'logprobs', 'log-probs and token ids differ in length');
  }
  return { tokenIds: [...result.tokenIds], logprobs: [...result.logprobs] };
}

function countTokens(generator: Generator, result: GenerationResult): number {
  if (result.tokenIds) return result.tokenIds.length;
  return generator.tokenizer ? generator.tokenizer.encode(result.text).length : 0;
}

/** use_adversarial_prompt_for_defender: in defender steps the defender sees the seed's adversarial text. */
function adversarialForDefender(ctx: TurnContext, state: EpisodeState): string | undefined {
  const { adversarial } = state.seed;
  return ctx.config.useAdversarialPromptForDefender && ctx.trainingRole === 'defender' && adversarial
    ? adversarial
    : undefined;
}

/** Records one generation: the role's turn, its token sequence (token-exact roles) and the history entry. */
export function applyResult(
  ctx: TurnContext,
  role: Role,
  prepared: PreparedTurn,
  result: GenerationResult,
  turn: number,
): number {
  const generator = ctx.generators[role];
  const { state, messages } = prepared;
  const track = state[role];
  const numGenTokens = countTokens(generator, result);
  if (generator.tokenExact) {
    const { tokenIds, logprobs } = checkTokenExact(generator, result);
    // prepareTurn measured the prompt of every token-exact role with a tokenizer
    const promptSequence = defined(prepared.promptSequence, 'prompt ids of a token-exact turn');
    const sequence = cloneSequence(promptSequence);
    pushSampledTokens(sequence, { turn, tokenIds, logprobs });
    track.sequence = sequence;
    track.turns.push({
      turn,
      promptIds: [...promptSequence.inputIds],
      promptLength: prepared.promptLength,
      tokenIds,
      logprobs,
      text: result.text,
      finishReason: result.finishReason,
    });
  } else {
    track.turns.push({
      turn,
      promptLength: prepared.promptLength,
      text: result.text,
      finishReason: result.finishReason,
    });
  }
  track.lastMessages = messages;
  const entry: HistoryEntry = {
    role,
    turn,
    content: result.text,
    numGenTokens,
    stopReason: result.finishReason,
    dummy: false,
  };
  if (role === 'attacker') {
    entry.parsedAnswer = extractAttackerPrompt(result.text, state.seed.question);
    const adversarial = adversarialForDefender(ctx, state);
    if (adversarial !== undefined) {
      entry.parsedAnswer = adversarial;
      entry.advUsed = true;
    }
    const think = extractThink(result.text);
    if (think !== undefined) entry.parsedThink = think;
  }
  state.history.push(entry);
  return numGenTokens;
}

/**
 * stop_when_truncated: an open episode whose latest `role` message stopped by length finishes with
 * code 3; a truncated attacker gets an empty defender message so that roles keep alternating.
 */
export function applyStopWhenTruncated(ctx: TurnContext, role: Role, states: EpisodeState[], turn: number): void {
  const { stopWhenTruncated, stopWhenTruncatedRoles } = ctx.config;
  if (!stopWhenTruncated || !stopWhenTruncatedRoles.includes(role)) return;
  for (const state of states) {
    const last = state.history.at(-1);
    if (state.finishCode !== null || last?.role !== role || last.stopReason !== 'length') continue;
    finishEpisode(state, FINISH_CODES.stop_when_truncated, turn);
    if (role === 'attacker') addDummyMessage(state, 'defender', turn);
  }
}

/** skip_attacker_generation_for_defender: the adversarial text that replaces this episode's attacker, if it applies. */
export function skippedAttackerText(ctx: TurnContext, state: EpisodeState): string | undefined {
  const { adversarial } = state.seed;
  return ctx.config.skipAttackerGenerationForDefender && ctx.trainingRole === 'defender' && adversarial
    ? adversarial
    : undefined;
}

/** Records the seed's adversarial `text` as the attacker's (not generated, never labelled) message. */
export function applySkippedAttacker(state: EpisodeState, text: string, turn: number): void {
  state.attacker.turns.push({ turn, text, finishReason: 'stop', skipped: true });
  state.history.push({
    role: 'attacker',
    turn,
    content: text,
    numGenTokens: 0,
    stopReason: 'stop',
    dummy: false,
    parsedAnswer: text,
    attackerGenSkipped: true,
  });
}
