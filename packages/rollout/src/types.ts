import type { Guard, Role, Tokenizer } from '@magic/core';

// The player, guard and generator contracts live in @magic/core; re-exported so the rollout's names keep working.
export type {
  ChatMessage,
  FinishReason,
  GenerationRequest,
  GenerationResult,
  Generator,
  GuardVerdict,
  Role,
  SamplingOptions,
} from '@magic/core';
export { ROLES } from '@magic/core';

/** Which role is being updated by the current RL step; 'none' = evaluation (both greedy by default). */
export type TrainingRole = Role | 'none';

/** What the rollout needs from a tokenizer: `@magic/core`'s Tokenizer (`@magic/lm`'s `Tokenizer` satisfies it). */
export type ChatTokenizer = Tokenizer;

/** What the rollout needs from a guard: `@magic/core`'s Guard (`@magic/judges`' guards satisfy it). */
export type RolloutGuard = Guard;
