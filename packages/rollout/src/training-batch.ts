import type { GrpoBatch } from '@magic/core';
import type { Episode } from './episode.js';
import { RemoteTrainedRoleError } from './errors.js';
import type { Role } from './types.js';

/**
 * The GRPO input for one role: `@magic/core`'s GrpoBatch (B rows, T = longest sequence) with `turnIds` always set
 * (turn index on labelled tokens, -100 elsewhere, verl step_ids) and no `refLogProbs` (the trainer adds them).
 * `oldLogProbs` (sampling log-probs at the sampled positions, 0 elsewhere) is omitted when a row's sequence is not
 * append-only (defender in 'latest-attack' mode): its earlier turns were sampled under a different prompt, so the
 * trainer must recompute old log-probs.
 */
export interface RoleTrainingBatch extends Omit<GrpoBatch, 'refLogProbs' | 'turnIds'> {
  turnIds: number[][];
}

export interface ToTrainingBatchOptions {
  /** One scalar per episode for this role (e.g. computeMagicReward's attacker/defender value). */
  rewards: number[];
  padTokenId: number;
  /** Pad to at least this many columns (e.g. a fixed prompt + response length). */
  padTo?: number;
}

function padRow(row: number[], length: number, value: number): number[] {
  return row.length >= length ? row : [...row, ...new Array<number>(length - row.length).fill(value)];
}

/**
 * Right-padded training tensors (as nested arrays) for `role`. Each row is that role's whole
 * sequence in the episode: exact prompt ids of the last turn plus its sampled ids; earlier turns'
 * sampled ids appear inside the prompt with label 1 and their turn as step id. An episode where the
 * role never generated (e.g. code 2 on turn 0) gives an empty row with no labels.
 */
export function toTrainingBatch(episodes: Episode[], role: Role, options: ToTrainingBatchOptions): RoleTrainingBatch {
  if (options.rewards.length !== episodes.length) {
    throw new RangeError(`toTrainingBatch: ${options.rewards.length} rewards for ${episodes.length} episodes`);
  }
  const sequences = episodes.map((e) => {
    const track = e[role];
    if (!track.sequence) throw new RemoteTrainedRoleError(role, track.generatorId);
    return track.sequence;
  });
  const exact = episodes.every((e) => e[role].appendOnly);
  const width = Math.max(options.padTo ?? 0, 1, ...sequences.map((s) => s.inputIds.length));
  return {
    inputIds: sequences.map((s) => padRow(s.inputIds, width, options.padTokenId)),
    attentionMask: sequences.map((s) =>
      padRow(
        s.inputIds.map(() => 1),
        width,
        0,
      ),
    ),
    responseMask: sequences.map((s) => padRow(s.labelMask, width, 0)),
    uids: episodes.map((e) => e.uid),
    rewards: [...options.rewards],
    ...(exact ? { oldLogProbs: sequences.map((s) => padRow(s.logprobs, width, 0)) } : {}),
    turnIds: sequences.map((s) => padRow(s.stepIds, width, -100)),
  };
}
