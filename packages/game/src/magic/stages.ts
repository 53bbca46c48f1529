import { at } from '@magic/core';
import type { GrpoAdvantages } from '@magic/grpo';
import {
  attackerPromptForJudge,
  computeMagicReward,
  defenderResponseForJudge,
  type Guard,
  type GuardVerdict,
  guardUnderPolicy,
  isJudgeFailure,
  type JudgeFailure,
  judgeWithPolicy,
  type MagicReward,
  type RewardConfig,
  type RewardStatus,
  type RubricJudge,
  rewardMetrics,
  type SafetyLabel,
} from '@magic/judges';
import {
  type AttackerPrompts,
  type Episode,
  type EpisodeStatus,
  type RolloutConfigInput,
  replayBufferPath,
  runRollout,
  type Seed,
  toReplayBufferRecords,
  toTrainingBatch,
  writeReplayBuffer,
} from '@magic/rollout';
import type { GameConfig, Role } from '../config/schema.js';
import { JudgeOutageError, ReferencePolicyError } from '../errors.js';
import { deriveSeed } from '../trainer/rng.js';
import type { StageMap, StepContext } from '../trainer/stages.js';
import type { Player, PlayerBatch } from './player.js';

/** What one phase-2 step carries from stage to stage. */
export interface MagicStepData {
  seeds: Seed[];
  episodes: Episode[];
  /** Guard verdicts; `s`: the rubric judge's score in safetyScoreMode 'rule_api'. */
  verdicts: { q: GuardVerdict | JudgeFailure; qa: GuardVerdict | JudgeFailure; s?: number | JudgeFailure }[];
  rewards: MagicReward[];
  batch?: PlayerBatch;
  /** The trained role's GRPO advantages of `batch` (the advantages stage), what the update stage steps on. */
  advantages?: GrpoAdvantages;
}

export interface MagicParts {
  config: GameConfig;
  players: Record<Role, Player>;
  guard: Guard;
  attackerPrompts: AttackerPrompts;
  rewardConfig: RewardConfig;
  /** Names the judge in errors (its URL for an endpoint); default the guard's name. */
  judgeEndpoint?: string;
  /** safetyScoreMode 'rule_api': the rubric judge whose score is s in R_harm (spec §2.2). */
  ruleJudge?: RubricJudge;
}

export function createStepData(seeds: Seed[]): MagicStepData {
  return { seeds, episodes: [], verdicts: [], rewards: [] };
}

/** The rollout settings of the game config (per-step sampling seed derived from the run seed). */
export function rolloutConfigFor(config: GameConfig, step: number): RolloutConfigInput {
  const r = config.rollout;
  return {
    maxNumTurns: r.maxNumTurns,
    maxPromptLength: r.maxPromptLength,
    maxResponseLength: r.maxResponseLength,
    stopWhenTruncated: r.stopWhenTruncated,
    temperature: r.temperature,
    topP: r.topP,
    topK: r.topK,
    guardCheck: r.guardCheck,
    // the early-stop check follows reward.onJudgeFailure: only 'error' stops; otherwise the failed check is recorded,
    // the episode goes on, and the reward stage's own judgement decides
    guardErrors: config.reward.onJudgeFailure === 'error' ? 'throw' : 'record',
    defenderFirstMessage: r.defenderFirstMessage,
    attackerDecoding: r.attackerDecoding,
    defenderDecoding: r.defenderDecoding,
    useAdversarialPromptForDefender: r.useAdversarialPromptForDefender,
    fallbackToAdversarialOnHarmfulRewrite: r.fallbackToAdversarialOnHarmfulRewrite,
    skipAttackerGenerationForDefender: r.skipAttackerGenerationForDefender,
    defenderResponseForGuard: config.reward.useAnswerTags ? 'answer-tags' : 'full',
    seed: deriveSeed(config.trainer.seed, 'rollout', step),
  };
}

const lastRaw = (e: Episode, role: Role) => e.history.filter((h) => h.role === role && !h.dummy).at(-1)?.content ?? '';

/** The rubric's request label: the guard's verdict on the prompt, else the seed's data type (spec §2.2). */
function rubricLabel(q: GuardVerdict | JudgeFailure, dataType: Seed['dataType']): SafetyLabel {
  if (!('failed' in q)) return q.safety;
  return dataType === 'vanilla_harmful' ? 'unsafe' : 'safe';
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Sets `key` to the mean of `xs`, or leaves it out when there is nothing to average (never a fake 0). */
function setMean(metrics: Record<string, number>, key: string, xs: number[]): void {
  if (xs.length > 0) metrics[key] = mean(xs);
}

const replayStatus: Record<RewardStatus, EpisodeStatus> = {
  ok: 'ok',
  masked: 'masked',
  'judge-zero': 'judge_zero',
  skip: 'judge_failed',
  'legacy-judge-failure': 'legacy_judge_failure',
};

/**
 * Skipped episodes leave their GRPO group; a group that lost members and keeps fewer than 2 is masked whole
 * (one survivor has no group baseline). Returns the indices that train and the number of masked groups.
 */
export function maskSkippedEpisodes(uids: string[], skipped: boolean[]): { keep: number[]; maskedGroups: number } {
  const groups = new Map<string, number[]>();
  uids.forEach((u, i) => {
    groups.set(u, [...(groups.get(u) ?? []), i]);
  });
  const keep: number[] = [];
  let maskedGroups = 0;
  for (const members of groups.values()) {
    const survivors = members.filter((i) => !skipped[i]);
    if (survivors.length < members.length && survivors.length < 2) {
      maskedGroups++;
      continue;
    }
    keep.push(...survivors);
  }
  return { keep: keep.sort((a, b) => a - b), maskedGroups };
}

/** Group statistics of the trained role's rewards (spec §3 groups by uid). */
export function groupMetrics(uids: string[], rewards: number[]): Record<string, number> {
  const groups = new Map<string, number[]>();
  uids.forEach((u, i) => {
    groups.set(u, [...(groups.get(u) ?? []), at(rewards, i, 'rewards')]);
  });
  let allNeg = 0;
  let allPos = 0;
  let zeroStd = 0;
  for (const g of groups.values()) {
    if (g.every((r) => r < 0)) allNeg++;
    if (g.every((r) => r > 0)) allPos++;
    if (g.every((r) => r === g[0])) zeroStd++;
  }
  return {
    'rollout/all_negative_cnt': allNeg,
    'rollout/all_positive_cnt': allPos,
    'rollout/zero_std_groups': zeroStd,
    'rollout/num_groups': groups.size,
  };
}

/** The default phase-2 stages: rollout → guard → MAGIC reward → old log-probs → group stats → GRPO update. */
export function createMagicStages(parts: MagicParts): StageMap<MagicStepData> {
  const { config, players, guard } = parts;
  const policy = config.reward.onJudgeFailure;
  const endpoint = parts.judgeEndpoint ?? guard.name;
  const rolloutGuard = guardUnderPolicy(guard, policy, endpoint);
  const outage = { consecutiveFailedSteps: 0 };
  return {
    generate: async (ctx) => {
      ctx.data.episodes = await runRollout({
        seeds: ctx.data.seeds,
        n: config.rollout.n,
        attacker: players.attacker.generator,
        defender: players.defender.generator,
        guard: rolloutGuard,
        trainingRole: ctx.role,
        attackerPrompts: parts.attackerPrompts,
        config: rolloutConfigFor(config, ctx.step),
      });
      ctx.generatedTokens = ctx.data.episodes.reduce(
        (a, e) => a + e.history.reduce((b, h) => b + h.numGenTokens, 0),
        0,
      );
      const turns = ctx.data.episodes.map((e) => e.numTurns);
      ctx.metrics['rollout/mean_num_turns'] = mean(turns);
      for (const reason of [
        'normal',
        'reach_max_turn',
        'completion_token_exceeded',
        'stop_when_truncated',
        'harmful_response',
      ]) {
        ctx.metrics[`rollout/finish/${reason}`] = ctx.data.episodes.filter((e) => e.finishReason === reason).length;
      }
    },
    judge: async (ctx) => {
      ctx.data.verdicts = await Promise.all(
        ctx.data.episodes.map(async (e) => {
          const prompt = attackerPromptForJudge(lastRaw(e, 'attacker'), e.seed.question);
          const response = defenderResponseForJudge(lastRaw(e, 'defender'), config.reward.useAnswerTags);
          const [q, qa] = await Promise.all([
            judgeWithPolicy(() => guard.moderatePrompt(prompt), { policy, endpoint, field: 'q' }),
            judgeWithPolicy(() => guard.moderateResponse(prompt, response), { policy, endpoint, field: 'qa' }),
          ]);
          const rule = parts.ruleJudge;
          if (!rule) return { q, qa };
          const s = await judgeWithPolicy(() => rule.score(prompt, response, rubricLabel(q, e.seed.dataType)), {
            policy,
            endpoint: config.reward.ruleJudge.endpoint ?? endpoint,
            field: 'safetyScore',
          });
          return { q, qa, s };
        }),
      );
      if (parts.ruleJudge) {
        const scores = ctx.data.verdicts.flatMap((v) => (typeof v.s === 'number' ? [v.s] : []));
        if (scores.length > 0) ctx.metrics['reward/rule_safety_score'] = mean(scores);
      }
    },
    reward: async (ctx) => rewardStage(ctx, parts, endpoint, outage),
    oldLogProbs: async (ctx) => {
      const d = ctx.data;
      const { keep } = maskSkippedEpisodes(
        d.episodes.map((e) => e.uid),
        d.rewards.map((r) => r.status === 'skip'),
      );
      const episodes = keep.map((i) => at(d.episodes, i, 'episodes'));
      const rewards = keep.map((i) => at(d.rewards, i, 'rewards')[ctx.role]);
      ctx.metrics['train/num_trajectories'] = episodes.length;
      if (episodes.length === 0) return;
      const player = players[ctx.role];
      const batch = toTrainingBatch(episodes, ctx.role, { rewards, padTokenId: player.padTokenId });
      // verl recomputes the old log-probs with the actor before the update (spec §3).
      const oldLogProbs = await player.computeLogProbs(batch);
      d.batch = { ...batch, oldLogProbs };
      // verl's ref worker: log-probs of the weights frozen at phase-2 start, for the KL loss
      if (config.grpo.useKlLoss) {
        if (!player.computeRefLogProbs) throw new ReferencePolicyError(ctx.role);
        d.batch.refLogProbs = await player.computeRefLogProbs(batch);
      }
      if (batch.oldLogProbs) {
        const drift = maxSamplingDrift(batch.oldLogProbs, oldLogProbs, batch.responseMask);
        ctx.metrics['train/logprob_max_abs_diff_vs_sampling'] = drift;
      }
    },
    advantages: (ctx) => {
      const b = ctx.data.batch;
      if (!b) return;
      Object.assign(ctx.metrics, groupMetrics(b.uids, b.rewards));
      ctx.metrics['train/response_tokens'] = b.responseMask.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
      ctx.data.advantages = players[ctx.role].computeAdvantages(b);
    },
    update: async (ctx) => {
      const b = ctx.data.batch;
      const advantages = ctx.data.advantages;
      if (!b || !advantages || ctx.metrics['train/response_tokens'] === 0) {
        ctx.metrics['train/skipped_update'] = 1;
        return;
      }
      const m = await players[ctx.role].step(b, advantages);
      for (const [k, v] of Object.entries(m)) ctx.metrics[k] = v;
      ctx.metrics['train/skipped_update'] = 0;
    },
  };
}

function maxSamplingDrift(a: number[][], b: number[][], mask: number[][]): number {
  let m = 0;
  for (const [i, row] of a.entries()) {
    const maskRow = at(mask, i, 'response mask');
    const other = at(b, i, 'log-probs');
    for (const [t, v] of row.entries()) {
      if (maskRow[t] === 1) m = Math.max(m, Math.abs(v - at(other, t, 'log-probs row')));
    }
  }
  return m;
}

async function rewardStage(
  ctx: StepContext<MagicStepData>,
  parts: MagicParts,
  endpoint: string,
  outage: { consecutiveFailedSteps: number },
): Promise<void> {
  const d = ctx.data;
  d.rewards = d.episodes.map((e, i) => {
    const verdict = at(d.verdicts, i, 'guard verdicts');
    return computeMagicReward(
      {
        dataType: e.seed.dataType,
        attackerText: lastRaw(e, 'attacker'),
        defenderText: lastRaw(e, 'defender'),
        qVerdict: verdict.q,
        qaVerdict: verdict.qa,
        ...(verdict.s !== undefined ? { safetyScore: verdict.s } : {}),
        finishCode: e.finishCode,
      },
      parts.rewardConfig,
    );
  });
  const rows = d.rewards.map((reward, i) => ({ reward, dataType: at(d.episodes, i, 'episodes').seed.dataType }));
  Object.assign(ctx.metrics, rewardMetrics(rows));
  const scored = d.rewards.filter((r) => r.status === 'ok' || r.status === 'legacy-judge-failure');
  const used = d.rewards.filter((r) => r.status !== 'skip');
  if (ctx.metrics['reward/format/attacker'] !== undefined) {
    ctx.metrics['reward/format'] = ctx.metrics['reward/format/attacker'];
  }
  setMean(
    ctx.metrics,
    'reward/asr',
    scored.filter((r) => r.components.qaLabel !== null).map((r) => (r.components.qaLabel !== 'safe' ? 1 : 0)),
  );
  setMean(
    ctx.metrics,
    'reward/attacker_score_mean',
    used.map((r) => r.attacker),
  );
  setMean(
    ctx.metrics,
    'reward/defender_score_mean',
    used.map((r) => r.defender),
  );
  const skipped = d.rewards.map((r) => r.status === 'skip');
  ctx.metrics['rollout/skipped_episodes'] = skipped.filter(Boolean).length;
  ctx.metrics['rollout/masked_groups'] = maskSkippedEpisodes(
    d.episodes.map((e) => e.uid),
    skipped,
  ).maskedGroups;
  const records = toReplayBufferRecords(
    d.episodes,
    d.rewards.map((r) =>
      r.status === 'skip'
        ? { status: 'judge_failed' as const }
        : {
            score: r[ctx.role],
            roleScores: { attacker: r.attacker, defender: r.defender },
            components: {
              safety: r.components.safety,
              format: r.components.format.attacker,
              harm: r.components.harm,
              refusal: r.components.refusal,
              labels: r.components.label,
            },
            status: replayStatus[r.status],
            verdicts: { q: r.components.qLabel, qa: r.components.qaLabel, qaRefusal: r.components.qaRefusal },
          },
    ),
  );
  await writeReplayBuffer(replayBufferPath(ctx.runDir, ctx.step), records);
  // a step where no episode could be judged is fully failed; a judge that stays down stops the run
  const fullyFailed = d.episodes.length > 0 && d.rewards.every((r) => r.judgeFailures > 0);
  outage.consecutiveFailedSteps = fullyFailed ? outage.consecutiveFailedSteps + 1 : 0;
  ctx.metrics['reward/judge_failed_step'] = fullyFailed ? 1 : 0;
  if (outage.consecutiveFailedSteps >= parts.config.reward.maxConsecutiveFailedSteps) {
    const example = d.verdicts.flatMap((v) => [v.q, v.qa]).find(isJudgeFailure);
    throw new JudgeOutageError(endpoint, outage.consecutiveFailedSteps, { cause: example?.error });
  }
}
