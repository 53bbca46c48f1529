import type { Guard, GuardCallOptions, GuardVerdict } from '../types.js';
import { attackerPromptForJudge, defenderResponseForJudge } from './answer-tags.js';
import { computeMagicReward, type DataType, type FinishCode, type JudgeFailure, type MagicReward } from './compute.js';
import type { RewardConfig } from './config.js';
import { judgeWithPolicy } from './judge-policy.js';

/**
 * The two guard calls of spec §2.1 (q: prompt moderation of the rewrite; qa: response moderation) followed by
 * computeMagicReward. Call and parse failures become JudgeFailure and go through `onJudgeFailure`; an abort rethrows.
 */
export async function judgeExchange(
  guard: Guard,
  input: { dataType: DataType; seed: string; attackerText: string; defenderText: string; finishCode: FinishCode },
  config: RewardConfig,
  options: GuardCallOptions = {},
): Promise<{
  reward: MagicReward;
  attackerPrompt: string;
  defenderResponse: string;
  qVerdict: GuardVerdict | JudgeFailure;
  qaVerdict: GuardVerdict | JudgeFailure;
}> {
  const attackerPrompt = attackerPromptForJudge(input.attackerText, input.seed);
  const defenderResponse = defenderResponseForJudge(input.defenderText, config.useAnswerTags);
  const policy = { policy: config.onJudgeFailure, endpoint: guard.name, signal: options.signal };
  const [qVerdict, qaVerdict] = await Promise.all([
    judgeWithPolicy(() => guard.moderatePrompt(attackerPrompt, options), { ...policy, field: 'qVerdict' }),
    judgeWithPolicy(() => guard.moderateResponse(attackerPrompt, defenderResponse, options), {
      ...policy,
      field: 'qaVerdict',
    }),
  ]);
  options.signal?.throwIfAborted();
  const reward = computeMagicReward({ ...input, qVerdict, qaVerdict }, config);
  return { reward, attackerPrompt, defenderResponse, qVerdict, qaVerdict };
}
