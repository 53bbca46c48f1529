import { EventEmitter } from 'eventemitter3';
import type { Role } from '../config/schema.js';

export type PhaseName = 'phase1' | 'phase2';

/** One line of metrics.jsonl: the spec's metric names plus step/phase bookkeeping. */
export type MetricsRecord = Record<string, number | string>;

export interface StepEndEvent {
  step: number;
  totalSteps: number;
  role: Role;
  metrics: Record<string, number>;
  timings: Record<string, number>;
  generatedTokens: number;
}

export interface GameEvents {
  'phase-start': (e: { phase: PhaseName; totalSteps: number; detail: string }) => void;
  'phase-end': (e: { phase: PhaseName; metrics: Record<string, number>; seconds: number }) => void;
  /** Progress inside a phase (phase 1 SFT steps; phase 2 stage boundaries). */
  'phase-progress': (e: {
    phase: PhaseName;
    step: number;
    totalSteps: number;
    metrics: Record<string, number>;
  }) => void;
  'stage-end': (e: { step: number; stage: string; seconds: number }) => void;
  'step-end': (e: StepEndEvent) => void;
  'agent-switch': (e: { step: number; from: Role; to: Role; reason: string }) => void;
  'validation-end': (e: { step: number; metrics: Record<string, number>; seconds: number }) => void;
  'checkpoint-saved': (e: { step: number; dir: string; seconds: number }) => void;
  /** `run({ resume })` restored a checkpoint; training continues after `step`. */
  resumed: (e: { step: number; dir: string }) => void;
}

export type GameEventEmitter = EventEmitter<GameEvents>;

/** A typed emitter of game events (what `CoEvolutionTrainer.events` is). */
export function createGameEmitter(): GameEventEmitter {
  return new EventEmitter<GameEvents>();
}
