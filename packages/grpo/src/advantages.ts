import { at } from '@magic/core';
import { GrpoInputError } from './errors.js';

/** How GRPO scales the centred reward: by the group's std, the whole batch's std, or not at all (Dr. GRPO). */
export type ScaleRewards = 'group' | 'batch' | 'none';

export interface GrpoAdvantageOptions {
  /** Added to the std before dividing. Default 1e-6 (verl). */
  epsilon?: number;
  /** `false` = Dr. GRPO: only subtract the group mean (same as `scaleRewards: 'none'`). Default true. */
  normByStd?: boolean;
  /** Which std divides the centred reward. Default `'group'` (verl/MAGIC). */
  scaleRewards?: ScaleRewards;
}

/** Per-sequence advantages plus the group statistics used. */
export interface OutcomeAdvantage {
  /** One advantage per sequence `(B)`. */
  advantages: number[];
  /** Group index of each sequence `(B)`, groups numbered by first appearance of their uid. */
  groupIndex: number[];
  /** Number of distinct uids. */
  numGroups: number;
  /** Per group: true when it has ≥ 2 members that all got the same reward. */
  zeroStdGroups: boolean[];
  /** Fraction of groups with ≥ 2 members and zero reward std (TRL's `frac_reward_zero_std`). */
  fracRewardZeroStd: number;
}

/** Groups sequences by uid; groups are numbered in order of first appearance. */
export function groupByUid(uids: readonly string[]): { groupIndex: number[]; groups: number[][] } {
  const byUid = new Map<string, { index: number; members: number[] }>();
  const groups: number[][] = [];
  const groupIndex = uids.map((uid, i) => {
    let group = byUid.get(uid);
    if (group === undefined) {
      group = { index: groups.length, members: [] };
      byUid.set(uid, group);
      groups.push(group.members);
    }
    group.members.push(i);
    return group.index;
  });
  return { groupIndex, groups };
}

function checkRewards(rewards: readonly number[], uids: readonly string[]): void {
  if (rewards.length !== uids.length) {
    throw new GrpoInputError('rewards', `length ${rewards.length} differs from uids length ${uids.length}`);
  }
  rewards.forEach((r, i) => {
    if (!Number.isFinite(r)) throw new GrpoInputError('rewards', `reward must be finite, got ${r}`, i);
  });
}

/** Mean and unbiased (N−1) std; a single value gets mean 0 and std 1 (verl's singleton rule). */
export function groupMeanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 1 };
  if (values.length === 1) return { mean: 0, std: 1 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sq = values.reduce((a, v) => a + (v - mean) * (v - mean), 0);
  return { mean, std: Math.sqrt(sq / (values.length - 1)) };
}

function isZeroStd(values: readonly number[]): boolean {
  return values.length >= 2 && values.every((v) => v === values[0]);
}

function zeroStdStats(groups: number[][], rewards: readonly number[]) {
  const zeroStdGroups = groups.map((g) => isZeroStd(g.map((i) => at(rewards, i, 'rewards'))));
  const fracRewardZeroStd = groups.length === 0 ? 0 : zeroStdGroups.filter(Boolean).length / groups.length;
  return { zeroStdGroups, fracRewardZeroStd };
}

/**
 * GRPO outcome advantage (verl `compute_grpo_outcome_advantage`): `A_i = (r_i − mean_g) / (std_g + eps)`
 * with the unbiased std of the group `g` of sequences sharing a uid.
 * Rules: a singleton group has mean 0 and std 1 (so `A = r / (1 + eps)`); an all-equal group gives exactly
 * `A = 0` (not a rounding residue).
 * `scaleRewards: 'batch'` divides by the unbiased std of all rewards instead (TRL); `'none'` or
 * `normByStd: false` does not divide (Dr. GRPO).
 */
export function computeGrpoOutcomeAdvantage(
  rewards: readonly number[],
  uids: readonly string[],
  options: GrpoAdvantageOptions = {},
): OutcomeAdvantage {
  checkRewards(rewards, uids);
  const epsilon = options.epsilon ?? 1e-6;
  const scale: ScaleRewards = options.normByStd === false ? 'none' : (options.scaleRewards ?? 'group');
  const { groupIndex, groups } = groupByUid(uids);
  const stats = groups.map((g) => groupMeanStd(g.map((i) => at(rewards, i, 'rewards'))));
  const batchStd = rewards.length >= 2 ? groupMeanStd(rewards).std : 1;
  const zero = zeroStdStats(groups, rewards);
  const advantages = rewards.map((r, i) => {
    const g = at(groupIndex, i, 'groupIndex');
    if (at(zero.zeroStdGroups, g, 'zeroStdGroups')) return 0;
    const { mean, std } = at(stats, g, 'group stats');
    if (scale === 'none') return r - mean;
    return (r - mean) / ((scale === 'batch' ? batchStd : std) + epsilon);
  });
  return { advantages, groupIndex, numGroups: groups.length, ...zero };
}

/**
 * RLOO outcome advantage (verl `compute_rloo_outcome_advantage`): `A_i = r_i − mean of the other members`
 * = `(n·r_i − n·mean) / (n − 1)`; a singleton group keeps `A = r`.
 */
export function computeRlooOutcomeAdvantage(rewards: readonly number[], uids: readonly string[]): OutcomeAdvantage {
  checkRewards(rewards, uids);
  const { groupIndex, groups } = groupByUid(uids);
  const zero = zeroStdStats(groups, rewards);
  const advantages = rewards.map((r, i) => {
    const g = at(groupIndex, i, 'groupIndex');
    if (at(zero.zeroStdGroups, g, 'zeroStdGroups')) return 0;
    const members = at(groups, g, 'groups');
    const n = members.length;
    if (n < 2) return r;
    const mean = members.reduce((a, j) => a + at(rewards, j, 'rewards'), 0) / n;
    return (r * n) / (n - 1) - (mean * n) / (n - 1);
  });
  return { advantages, groupIndex, numGroups: groups.length, ...zero };
}

/** Broadcasts one advantage per sequence to its response tokens: `out[b][t] = A_b · responseMask[b][t]` `(B, T)`. */
export function broadcastToTokens(
  advantages: readonly number[],
  responseMask: readonly (readonly number[])[],
): number[][] {
  if (advantages.length !== responseMask.length) {
    throw new GrpoInputError('responseMask', `has ${responseMask.length} rows for ${advantages.length} advantages`);
  }
  return responseMask.map((row, b) => {
    const advantage = at(advantages, b, 'advantages');
    return row.map((m) => (m ? advantage : 0));
  });
}

/** Fraction of groups (≥ 2 members) whose rewards are all equal. */
export function fracRewardZeroStd(rewards: readonly number[], uids: readonly string[]): number {
  checkRewards(rewards, uids);
  return zeroStdStats(groupByUid(uids).groups, rewards).fracRewardZeroStd;
}
