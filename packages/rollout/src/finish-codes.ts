/** Finish codes of an episode, as in MAGIC's multi_agent_rollout (spec §4). */
export const FINISH_CODES = {
  normal: 0,
  reach_max_turn: 1,
  completion_token_exceeded: 2,
  stop_when_truncated: 3,
  harmful_response: 4,
} as const;

export type FinishReasonName = keyof typeof FINISH_CODES;
export type FinishCode = (typeof FINISH_CODES)[FinishReasonName];

const NAMES = Object.fromEntries(Object.entries(FINISH_CODES).map(([k, v]) => [v, k])) as Record<
  FinishCode,
  FinishReasonName
>;

/** The name of a finish code (e.g. 4 -> 'harmful_response'). */
export function finishReasonName(code: FinishCode): FinishReasonName {
  return NAMES[code];
}
