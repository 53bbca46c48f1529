import { EventEmitter } from 'eventemitter3';
import type { FinishReasonName } from './finish-codes.js';
import type { Role, TrainingRole } from './types.js';

export interface RolloutStartEvent {
  numSeeds: number;
  numEpisodes: number;
  n: number;
  maxNumTurns: number;
  trainingRole: TrainingRole;
}

export interface TurnEndEvent {
  turn: number;
  /** Episodes still open when the turn began. */
  activeEpisodes: number;
  /** Episodes that finished during this turn, by finish reason. */
  finished: Record<FinishReasonName, number>;
  /** Distinct prompts sent per role (greedy duplicates are generated once). */
  requests: Record<Role, number>;
  generatedTokens: Record<Role, number>;
  generationMs: Record<Role, number>;
  guardMs: number;
  durationMs: number;
}

export interface RolloutEndEvent {
  numEpisodes: number;
  finishCounts: Record<FinishReasonName, number>;
  meanNumTurns: number;
  generatedTokens: Record<Role, number>;
  durationMs: number;
}

export interface RolloutEvents {
  'rollout-start': (event: RolloutStartEvent) => void;
  'turn-end': (event: TurnEndEvent) => void;
  'rollout-end': (event: RolloutEndEvent) => void;
}

export type RolloutEmitter = EventEmitter<RolloutEvents>;

/** A typed emitter for runRollout's `events` input. */
export function createRolloutEmitter(): RolloutEmitter {
  return new EventEmitter<RolloutEvents>();
}

/** A zeroed count per finish reason. */
export function emptyFinishCounts(): Record<FinishReasonName, number> {
  return { normal: 0, reach_max_turn: 0, completion_token_exceeded: 0, stop_when_truncated: 0, harmful_response: 0 };
}
