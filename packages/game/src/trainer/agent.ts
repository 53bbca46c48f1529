import type { Role } from '../config/schema.js';

/**
 * What the orchestrator needs from one player besides its stages: persisting and restoring the
 * trainable state (weights in HF layout + optimizer state) and a fingerprint of its parameters.
 */
export interface GameAgent {
  readonly role: Role;
  /** Writes weights (HF layout: config.json, model.safetensors, tokenizer) and optimizer state into `dir`. */
  saveCheckpoint(dir: string): Promise<void>;
  /** Restores weights and optimizer state written by `saveCheckpoint`. */
  loadCheckpoint(dir: string): Promise<void>;
  /** Called once when phase 2 starts (after phase 1 and before step 1), e.g. to freeze a reference policy. */
  beginPhase2?(): Promise<void>;
  /** A cheap digest of the parameters (sum of |w| over a few tensors): changes when training moves them. */
  parameterFingerprint(): Promise<number>;
}
