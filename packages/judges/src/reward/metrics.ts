import type { DataType, MagicReward } from './compute.js';

/** NaN when there is nothing to average, so an unjudged batch never reads as 0 (the key is then left out). */
function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Batch metrics with MAGIC's names (spec §4): reward/response_harm, reward/response_refusal, reward/label,
 * reward/format/<role>, reward/refusal_rate_{harmful,benign}; plus judge-failure counts.
 * Means are over episodes whose reward was computed (status ok or legacy); a mean with no such episode is left out
 * of the result (never 0). `reward/judged_episodes` counts episodes whose verdicts all came back.
 */
export function rewardMetrics(results: { reward: MagicReward; dataType: DataType }[]): Record<string, number> {
  const scored = results.filter((r) => r.reward.status === 'ok' || r.reward.status === 'legacy-judge-failure');
  const refusalRate = (type: DataType) => {
    const rows = scored.filter((r) => r.dataType === type && r.reward.components.qaRefusal !== null);
    return mean(rows.map((r) => (r.reward.components.qaRefusal === 'yes' ? 1 : 0)));
  };
  const count = (status: MagicReward['status']) => results.filter((r) => r.reward.status === status).length;
  const metrics: Record<string, number> = {
    'reward/response_harm': mean(scored.map((r) => r.reward.components.harm)),
    'reward/response_refusal': mean(scored.map((r) => r.reward.components.refusal)),
    'reward/label': mean(scored.map((r) => r.reward.components.label)),
    'reward/format/attacker': mean(scored.map((r) => r.reward.components.format.attacker)),
    'reward/format/defender': mean(scored.map((r) => r.reward.components.format.defender)),
    'reward/refusal_rate_harmful': refusalRate('vanilla_harmful'),
    'reward/refusal_rate_benign': refusalRate('vanilla_benign'),
    'reward/judge_failures': results.reduce((a, r) => a + r.reward.judgeFailures, 0),
    'reward/judge_failure_episodes': results.filter((r) => r.reward.judgeFailures > 0).length,
    'reward/skipped_episodes': count('skip'),
    'reward/judge_zero_episodes': count('judge-zero'),
    'reward/legacy_judge_failure_episodes': count('legacy-judge-failure'),
    'reward/masked_episodes': count('masked'),
    'reward/judged_episodes': results.filter((r) => r.reward.judgeFailures === 0).length,
  };
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => !Number.isNaN(v)));
}
