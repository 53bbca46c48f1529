import { defenderResponseForGuard } from './answer.js';
import type { RolloutConfig } from './config.js';
import type { TurnJudgement } from './episode.js';
import { type EpisodeState, finishEpisode } from './episode-state.js';
import { FINISH_CODES } from './finish-codes.js';
import type { RolloutGuard } from './types.js';

/** Whether the per-turn guard check runs under this config. */
export function guardCheckEnabled(config: RolloutConfig): boolean {
  return config.guardCheck === 'every-turn' || (config.guardCheck === 'multi-turn' && config.maxNumTurns > 1);
}

async function judgeEpisode(
  guard: RolloutGuard,
  config: RolloutConfig,
  state: EpisodeState,
  turn: number,
  signal?: AbortSignal,
): Promise<TurnJudgement> {
  const attack = state.history.filter((e) => e.role === 'attacker').at(-1);
  const defense = state.history.at(-1);
  const attackerPrompt = attack?.parsedAnswer ?? state.seed.question;
  const defenderResponse = defenderResponseForGuard(defense?.content ?? '', config.defenderResponseForGuard);
  try {
    const [q, qa] = await Promise.all([
      guard.moderatePrompt(attackerPrompt, { signal }),
      guard.moderateResponse(attackerPrompt, defenderResponse, { signal }),
    ]);
    return { turn, attackerPrompt, defenderResponse, q, qa, harmful: qa.safety !== 'safe' };
  } catch (error) {
    if (config.guardErrors === 'throw') throw error;
    return { turn, attackerPrompt, defenderResponse, harmful: false, error: String(error) };
  }
}

/**
 * After a defender turn: judge (last attacker prompt, defender reply) with two guard calls per
 * episode (prompt and response moderation); a reply judged unsafe or controversial finishes the
 * episode as harmful_response (code 4).
 */
export async function runGuardChecks(
  guard: RolloutGuard,
  config: RolloutConfig,
  states: EpisodeState[],
  turn: number,
  signal?: AbortSignal,
): Promise<void> {
  const judged = await Promise.all(
    states.map(async (state) => ({ state, judgement: await judgeEpisode(guard, config, state, turn, signal) })),
  );
  for (const { state, judgement } of judged) {
    state.judgements.push(judgement);
    if (judgement.harmful) finishEpisode(state, FINISH_CODES.harmful_response, turn);
  }
}

/**
 * fallback_to_adversarial_on_harmful_rewrite: for open episodes with a benign seed that has an adversarial
 * text, the guard moderates the attacker's rewrite; an unsafe or controversial one is replaced by the
 * adversarial text before the defender sees it.
 */
export async function applyAdversarialFallback(
  guard: RolloutGuard,
  states: EpisodeState[],
  signal?: AbortSignal,
): Promise<void> {
  const candidates = states.flatMap((state) => {
    const { adversarial } = state.seed;
    return state.finishCode === null && state.seed.dataType === 'vanilla_benign' && adversarial
      ? [{ state, adversarial }]
      : [];
  });
  await Promise.all(
    candidates.map(async ({ state, adversarial }) => {
      const entry = state.history.at(-1);
      if (entry?.role !== 'attacker' || entry.parsedAnswer === undefined) return;
      const verdict = await guard.moderatePrompt(entry.parsedAnswer, { signal });
      if (verdict.safety === 'safe') return;
      entry.parsedAnswer = adversarial;
      entry.advFallback = true;
    }),
  );
}
