import type { GrpoBatch } from '@magic/core';
import type { GrpoAdvantages } from '@magic/grpo';
import type { Generator } from '@magic/rollout';
import type { Role } from '../config/schema.js';
import type { GameAgent } from '../trainer/agent.js';

/** Token rows as GRPO consumes them (right-padded): `@magic/core`'s GrpoBatch. */
export type PlayerBatch = GrpoBatch;

/** One player of the game: generates (always) and is updated (when it is the current agent). */
export interface Player extends GameAgent {
  readonly role: Role;
  readonly generator: Generator;
  readonly padTokenId: number;
  /**
   * log p(ids[b,t] | ids[b,<t]) under the current weights (column 0 is 0), no gradient. With `responseMask`, only
   * the columns from the first response column on are needed (a player may return 0 before it).
   */
  computeLogProbs(batch: {
    inputIds: number[][];
    attentionMask: number[][];
    responseMask?: number[][];
  }): Promise<number[][]>;
  /** Log-probs of the frozen reference policy taken at phase-2 start (needed by grpo.useKlLoss), like computeLogProbs. */
  computeRefLogProbs?(batch: {
    inputIds: number[][];
    attentionMask: number[][];
    responseMask?: number[][];
  }): Promise<number[][]>;
  /** The batch's GRPO advantages (the "advantages" stage); `step` trains on them. */
  computeAdvantages(batch: PlayerBatch): GrpoAdvantages;
  /** One GRPO step (ppo epochs, mini-batches) on the batch with its advantages; returns `actor/*` metrics. */
  step(batch: PlayerBatch, advantages: GrpoAdvantages): Promise<Record<string, number>>;
  /** `computeAdvantages` then `step`. */
  update(batch: PlayerBatch): Promise<Record<string, number>>;
}
