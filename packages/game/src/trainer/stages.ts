// The stage contracts live in @magic/core; re-exported so the game's names keep working.
export {
  STEP_STAGES,
  type Stage,
  type StageMap,
  type StageName,
  type StepContext,
} from '@magic/core';
