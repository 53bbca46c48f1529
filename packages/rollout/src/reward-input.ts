import type { Episode } from './episode.js';
import type { GuardVerdict } from './types.js';

/** The fields `@magic/judges`' computeMagicReward takes (structurally its MagicRewardInput). */
export interface EpisodeRewardInput {
  dataType: 'vanilla_harmful' | 'vanilla_benign';
  seed: string;
  /** Raw text of the last attacker message (think included, for the format reward). */
  attackerText: string;
  /** Raw text of the last defender message ('' for a dummy). */
  defenderText: string;
  finishCode: Episode['finishCode'];
  /** The rollout's own guard verdicts on the last exchange, when it judged exactly that pair without error. */
  qVerdict?: GuardVerdict;
  qaVerdict?: GuardVerdict;
}

/**
 * What the reward judges for an episode: the last attacker and defender messages (spec §2.1, multi-turn)
 * and, when the per-turn guard check already judged that last exchange, its verdicts, so the reward does
 * not repeat the two guard calls.
 */
export function rewardInputOf(episode: Episode): EpisodeRewardInput {
  const lastAttack = episode.history.filter((e) => e.role === 'attacker').at(-1);
  const lastDefense = episode.history.filter((e) => e.role === 'defender').at(-1);
  const input: EpisodeRewardInput = {
    dataType: episode.seed.dataType,
    seed: episode.seed.question,
    attackerText: lastAttack?.content ?? '',
    defenderText: lastDefense?.content ?? '',
    finishCode: episode.finishCode,
  };
  const judged = episode.judgements.at(-1);
  const sameExchange =
    judged !== undefined &&
    lastDefense !== undefined &&
    !lastDefense.dummy &&
    judged.turn === lastDefense.turn &&
    judged.error === undefined;
  if (sameExchange && judged.q && judged.qa) {
    input.qVerdict = judged.q;
    input.qaVerdict = judged.qa;
  }
  return input;
}
