import type { Seed } from './config.js';
import type { FinishCode, FinishReasonName } from './finish-codes.js';
import type { ChatMessage, FinishReason, GuardVerdict, Role } from './types.js';

/** One message of the game, as in MAGIC's history entries (spec §4 step 4). */
export interface HistoryEntry {
  role: Role;
  turn: number;
  /** Raw text (attacker: think included). '' for a dummy message. */
  content: string;
  numGenTokens: number;
  /** null for a dummy message (added so roles keep alternating; never generated, never labelled). */
  stopReason: FinishReason | null;
  dummy: boolean;
  /** Attacker only: the prompt the defender sees (answer with fallbacks). */
  parsedAnswer?: string;
  /** Attacker only: the `<think>` content, if closed. */
  parsedThink?: string;
  /** Attacker only: parsedAnswer was replaced by the seed's adversarial text (useAdversarialPromptForDefender). */
  advUsed?: boolean;
  /** Attacker only: a benign seed's rewrite judged harmful was replaced by the adversarial text. */
  advFallback?: boolean;
  /** Attacker only: not generated; the seed's adversarial text was used (skipAttackerGenerationForDefender). */
  attackerGenSkipped?: boolean;
}

/** One generation of one role. Ids and log-probs only for token-exact generators. */
export interface RoleTurnRecord {
  turn: number;
  /** The exact prompt ids given to the model (spliced, append-only), when token-exact. */
  promptIds?: number[];
  /** Prompt length in tokens, when a tokenizer is known. */
  promptLength?: number;
  /** Exactly the sampled ids (stop token included when the turn stopped normally). */
  tokenIds?: number[];
  logprobs?: number[];
  text: string;
  finishReason: FinishReason;
  /** The turn was not generated (skipAttackerGenerationForDefender): no ids, never labelled. */
  skipped?: boolean;
}

/**
 * A role's whole token sequence: the last turn's prompt ids plus its sampled ids. Aligned arrays:
 * `labelMask` is 1 only on tokens this role sampled (stop token included only when it stopped
 * normally), `stepIds` holds the turn index on those tokens and -100 elsewhere, `logprobs` the
 * sampling log-prob there and 0 elsewhere.
 */
export interface TokenSequence {
  inputIds: number[];
  labelMask: number[];
  stepIds: number[];
  logprobs: number[];
}

export interface RoleTrack {
  generatorId: string;
  trainable: boolean;
  tokenExact: boolean;
  turns: RoleTurnRecord[];
  /** null when the role's generator is not token-exact (remote). Empty arrays if it never generated. */
  sequence: TokenSequence | null;
  /** False only for the defender in 'latest-attack' mode (its first user message changes every turn). */
  appendOnly: boolean;
  /** The chat of the role's last generation. */
  lastMessages: ChatMessage[];
}

/** Guard check of one (attacker prompt, defender reply) pair after a defender turn. */
export interface TurnJudgement {
  turn: number;
  attackerPrompt: string;
  defenderResponse: string;
  /** Prompt moderation of the attacker prompt. */
  q?: GuardVerdict;
  /** Response moderation of the pair. */
  qa?: GuardVerdict;
  /** qa safety is unsafe or controversial (controversial counts as unsafe in training). */
  harmful: boolean;
  /** Set when the guard threw and guardErrors is 'record'. */
  error?: string;
}

export interface Episode {
  uid: string;
  /** Index of this copy within its group (0..n-1). */
  groupIndex: number;
  seed: Seed;
  finishCode: FinishCode;
  finishReason: FinishReasonName;
  /** floor(history.length / 2), as in the original. */
  numTurns: number;
  history: HistoryEntry[];
  attacker: RoleTrack;
  defender: RoleTrack;
  judgements: TurnJudgement[];
  /** The attacker prompt and defender reply of the last exchange (what the reward judges). */
  lastAttackerPrompt: string;
  lastDefenderResponse: string;
}
