import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Episode, HistoryEntry } from './episode.js';
import type { Role } from './types.js';

/**
 * How an episode was scored: `ok`; `masked` (unfinished, reward 0); `judge_zero` / `legacy_judge_failure` (a judge
 * failure given 0 / treated as safe); `judge_failed` (a judge failure under skip-episode: no score, not trained).
 */
export const EpisodeStatusSchema = z.enum(['ok', 'masked', 'judge_zero', 'judge_failed', 'legacy_judge_failure']);
export type EpisodeStatus = z.output<typeof EpisodeStatusSchema>;

/** Reward of one episode as the game computed it (for the replay buffer). */
export interface EpisodeReward {
  /** Score of the role being trained. */
  score: number;
  roleScores: Record<Role, number>;
  /** safety, revision, defender_quality, format, harm, refusal, labels, ... */
  components: Record<string, number>;
  /** Absent = 'ok'. */
  status?: EpisodeStatus;
  /** The guard's verdicts behind the reward (null: not asked or failed). */
  verdicts?: GuardVerdicts;
}

/** An episode the game could not score (its judge failed): a status and no made-up score. */
export interface UnscoredEpisode {
  status: Exclude<EpisodeStatus, 'ok'>;
}

/** Guard labels of one episode: `q` on the attacker's rewrite, `qa` on the defender's reply, and its refusal flag. */
export interface GuardVerdicts {
  q: string | null;
  qa: string | null;
  qaRefusal: string | null;
}

const GuardVerdictsSchema = z.object({
  q: z.string().nullable(),
  qa: z.string().nullable(),
  qaRefusal: z.string().nullable(),
});

const HistoryEntrySchema = z.object({
  role: z.enum(['attacker', 'defender']),
  turn: z.number().int(),
  content: z.string(),
  numGenTokens: z.number().int(),
  stopReason: z.enum(['stop', 'length']).nullable(),
  dummy: z.boolean(),
  parsedAnswer: z.string().optional(),
  parsedThink: z.string().optional(),
  advUsed: z.boolean().optional(),
  advFallback: z.boolean().optional(),
  attackerGenSkipped: z.boolean().optional(),
});

/** One line of `replay_buffer/train_step_{k}.jsonl` (spec §4): one record per uid, lists over its copies. */
export const ReplayBufferRecordSchema = z.object({
  uid: z.string(),
  question: z.string(),
  groundtruth: z.unknown(),
  data_type: z.enum(['vanilla_harmful', 'vanilla_benign']),
  response: z.array(z.string()),
  history: z.array(z.array(HistoryEntrySchema)),
  score: z.array(z.number().nullable()),
  role_scores: z.array(z.record(z.string(), z.number()).nullable()),
  latest_role_outputs: z.array(z.record(z.string(), z.string())),
  finish_reason: z.array(z.string()),
  reward_components: z.array(z.record(z.string(), z.number()).nullable()),
  /** Present when the game passed the guard's verdicts (reports show them beside the rewards). */
  guard_verdicts: z.array(GuardVerdictsSchema.nullable()).optional(),
  avg_score: z.number().nullable(),
  /** Per copy; null where no reward was given. Absent in files written before it existed. */
  status: z.array(EpisodeStatusSchema.nullable()).optional(),
});
export type ReplayBufferRecord = z.output<typeof ReplayBufferRecordSchema>;

function latestOutput(history: HistoryEntry[], role: Role): string {
  return history.filter((e) => e.role === role).at(-1)?.content ?? '';
}

function isScored(r: EpisodeReward | UnscoredEpisode | undefined): r is EpisodeReward {
  return r !== undefined && 'score' in r;
}

/**
 * Groups episodes by uid (first-seen order) into replay-buffer records; `rewards[i]` belongs to `episodes[i]`.
 * An unscored episode gets null score, role scores and components, and its status.
 */
export function toReplayBufferRecords(
  episodes: Episode[],
  rewards?: (EpisodeReward | UnscoredEpisode | undefined)[],
): ReplayBufferRecord[] {
  // each uid's episodes with their index into `rewards`, in order; a group is never empty
  type Member = { episode: Episode; index: number };
  const groups = new Map<string, [Member, ...Member[]]>();
  for (const [index, episode] of episodes.entries()) {
    const group = groups.get(episode.uid);
    if (group) group.push({ episode, index });
    else groups.set(episode.uid, [{ episode, index }]);
  }
  return [...groups.entries()].map(([uid, members]) => {
    const first = members[0].episode;
    const indices = members.map((m) => m.index);
    const reward = (i: number) => {
      const r = rewards?.[i];
      return isScored(r) ? r : undefined;
    };
    const scores = indices.map((i) => reward(i)?.score ?? null);
    const known = scores.filter((s): s is number => s !== null);
    return {
      uid,
      question: first.seed.question,
      groundtruth: first.seed.groundtruth ?? null,
      data_type: first.seed.dataType,
      response: members.map(({ episode }) => episode.lastDefenderResponse),
      history: members.map(({ episode }) => episode.history),
      score: scores,
      role_scores: indices.map((i) => reward(i)?.roleScores ?? null),
      latest_role_outputs: members.map(({ episode }) => ({
        attacker: latestOutput(episode.history, 'attacker'),
        defender: latestOutput(episode.history, 'defender'),
      })),
      finish_reason: members.map(({ episode }) => episode.finishReason),
      reward_components: indices.map((i) => reward(i)?.components ?? null),
      ...(rewards?.some((r) => r !== undefined && 'verdicts' in r && r.verdicts !== undefined)
        ? { guard_verdicts: indices.map((i) => reward(i)?.verdicts ?? null) }
        : {}),
      avg_score: known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length,
      status: indices.map((i) => {
        const r = rewards?.[i];
        return r === undefined ? null : (r.status ?? 'ok');
      }),
    };
  });
}

/** The replay-buffer file of a training step: `<dir>/replay_buffer/train_step_<step>.jsonl`. */
export function replayBufferPath(dir: string, step: number): string {
  return join(dir, 'replay_buffer', `train_step_${step}.jsonl`);
}

/** Writes records as JSON lines (validated), creating the folder. */
export async function writeReplayBuffer(path: string, records: ReplayBufferRecord[]): Promise<void> {
  const lines = records.map((r) => JSON.stringify(ReplayBufferRecordSchema.parse(r)));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, lines.length > 0 ? `${lines.join('\n')}\n` : '');
}
