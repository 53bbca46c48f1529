/** The two players, in turn order. */
export type Role = 'attacker' | 'defender';
export const ROLES: readonly Role[] = ['attacker', 'defender'];

/** The named stages of one phase-2 step, in order (verl `fit()` timing names, camelCase). */
export const STEP_STAGES = [
  'generate',
  'judge',
  'reward',
  'oldLogProbs',
  'advantages',
  'update',
  'switch',
  'validate',
  'checkpoint',
] as const;
export type StageName = (typeof STEP_STAGES)[number];

/** The state one step's stages pass along; `data` is owned by the stage set. */
export interface StepContext<D> {
  readonly step: number;
  readonly totalSteps: number;
  /** The agent updated in this step (both generate). */
  readonly role: Role;
  readonly runDir: string;
  data: D;
  /** Step metrics (spec names: reward/response_harm, ...); merged into metrics.jsonl. */
  metrics: Record<string, number>;
  /** Tokens sampled by either agent in this step (for tokens/s). */
  generatedTokens: number;
}

export type Stage<D> = (ctx: StepContext<D>) => Promise<void> | void;

/** The work stages (switch / validate / checkpoint are provided by the trainer, but replaceable too). */
export type StageMap<D> = Record<'generate' | 'judge' | 'reward' | 'oldLogProbs' | 'advantages' | 'update', Stage<D>> &
  Partial<Record<'switch' | 'validate' | 'checkpoint', Stage<D>>>;
