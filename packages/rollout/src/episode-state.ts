import { randomUUID } from 'node:crypto';
import type { Seed } from './config.js';
import type { Episode, HistoryEntry, RoleTrack } from './episode.js';
import { type FinishCode, finishReasonName } from './finish-codes.js';
import type { AssistantSample } from './token-splice.js';
import type { Generator, Role } from './types.js';

/** An episode while the turn loop runs: finishCode stays null until it finishes. */
export interface EpisodeState
  extends Omit<Episode, 'finishCode' | 'finishReason' | 'numTurns' | 'lastAttackerPrompt' | 'lastDefenderResponse'> {
  finishCode: FinishCode | null;
  /** Turn in which the episode finished (for turn-end counts). */
  finishedAtTurn: number | null;
}

function newTrack(generator: Generator, appendOnly: boolean): RoleTrack {
  return {
    generatorId: generator.id,
    trainable: generator.trainable,
    tokenExact: generator.tokenExact,
    turns: [],
    sequence: generator.tokenExact ? { inputIds: [], labelMask: [], stepIds: [], logprobs: [] } : null,
    appendOnly,
    lastMessages: [],
  };
}

/**
 * Each seed repeated n times with interleaving (verl repeat(interleave=True)): [s0 x n, s1 x n, ...],
 * all copies of a seed sharing one uid (the seed's own, else a fresh uuid).
 */
export function createEpisodeStates(
  seeds: Seed[],
  n: number,
  generators: Record<Role, Generator>,
  defenderAppendOnly: boolean,
): EpisodeState[] {
  return seeds.flatMap((seed) => {
    const uid = seed.uid ?? randomUUID();
    return Array.from({ length: n }, (_, groupIndex) => ({
      uid,
      groupIndex,
      seed,
      finishCode: null,
      finishedAtTurn: null,
      history: [],
      attacker: newTrack(generators.attacker, true),
      defender: newTrack(generators.defender, defenderAppendOnly),
      judgements: [],
    }));
  });
}

/** Marks an episode finished (first code wins). */
export function finishEpisode(state: EpisodeState, code: FinishCode, turn: number): void {
  if (state.finishCode !== null) return;
  state.finishCode = code;
  state.finishedAtTurn = turn;
}

/** Adds an empty, never-generated message for `role` so that roles keep alternating. */
export function addDummyMessage(state: EpisodeState, role: Role, turn: number): void {
  const entry: HistoryEntry = { role, turn, content: '', numGenTokens: 0, stopReason: null, dummy: true };
  if (role === 'attacker') entry.parsedAnswer = '';
  state.history.push(entry);
}

/** The role's earlier generations, for splicing into its next prompt. */
export function assistantSamples(track: RoleTrack): AssistantSample[] {
  return track.turns.map((t) => ({
    turn: t.turn,
    tokenIds: t.tokenIds ?? [],
    logprobs: t.logprobs ?? [],
    ...(t.skipped ? { notSampled: true } : {}),
  }));
}

/** Closes an episode: still-open ones get reach_max_turn (1) when maxNumTurns > 1, else normal (0). */
export function finalizeEpisode(state: EpisodeState, maxNumTurns: number): Episode {
  const { finishedAtTurn: _, ...rest } = state;
  const finishCode: FinishCode = state.finishCode ?? (maxNumTurns > 1 ? 1 : 0);
  const lastAttack = state.history.filter((e) => e.role === 'attacker').at(-1);
  const lastDefense = state.history.filter((e) => e.role === 'defender').at(-1);
  return {
    ...rest,
    finishCode,
    finishReason: finishReasonName(finishCode),
    numTurns: Math.floor(state.history.length / 2),
    lastAttackerPrompt: lastAttack?.parsedAnswer ?? state.seed.question,
    lastDefenderResponse: lastDefense?.content ?? '',
  };
}
