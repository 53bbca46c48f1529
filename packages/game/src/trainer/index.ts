export type { GameAgent } from './agent.js';
export {
  checkpointDir,
  readLatestCheckpoint,
  saveTrainerCheckpoint,
  type TrainerState,
  TrainerStateSchema,
} from './checkpoint.js';
export {
  CoEvolutionTrainer,
  type CoEvolutionTrainerOptions,
  type Phase1Context,
  type RunSummary,
  type ValidationScope,
} from './co-evolution-trainer.js';
export { type DataCursor, DataCursorSchema, type SamplerBalance, SeedSampler } from './data-cursor.js';
export {
  createGameEmitter,
  type GameEventEmitter,
  type GameEvents,
  type MetricsRecord,
  type PhaseName,
  type StepEndEvent,
} from './events.js';
export { deriveSeed, SeededRng } from './rng.js';
export { STEP_STAGES, type Stage, type StageMap, type StageName, type StepContext } from './stages.js';
