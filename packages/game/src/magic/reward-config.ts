import { type RewardConfig, rewardConfig } from '@magic/judges';
import type { GameConfig } from '../config/schema.js';

/** The reward settings of the game config in @magic/judges' names (spec §2.2–2.4). */
export function rewardConfigFor(config: GameConfig): RewardConfig {
  const r = config.reward;
  return rewardConfig({
    harm: r.rewardHarm,
    refusal: r.rewardRefusal,
    label: r.rewardLabel,
    format: r.formatRewardValue,
    useQSafeLabelForRefusal: r.useQSafeLabelForRefusal,
    refusalSource: r.refusalSource,
    useAnswerTags: r.useAnswerTags,
    formatRewardRoles: r.formatRewardRoles,
    maskUnfinishedReward: r.maskUnfinishedReward,
    onJudgeFailure: r.onJudgeFailure,
  });
}
