import { JudgeFailureError } from '../errors.js';
import { isRefusal } from '../refusal-rules.js';
import { rubricHarmComponent } from '../rubric-judge.js';
import type { GuardVerdict, SafetyLabel } from '../types.js';
import { isWellFormatted } from './answer-tags.js';
import type { AgentRole, RewardConfig } from './config.js';

export type DataType = 'vanilla_harmful' | 'vanilla_benign';
type Binary = 'safe' | 'unsafe';

/** A judge call that failed (call error or parse error); the reward policy decides what follows. */
export interface JudgeFailure {
  failed: true;
  error: unknown;
}

/** Finish codes (spec §4): 0 normal, 1 reach_max_turn, 2 completion_token_exceeded, 3 stop_when_truncated, 4 harmful_response. */
export type FinishCode = 0 | 1 | 2 | 3 | 4;
const unfinishedCodes: ReadonlySet<number> = new Set([2, 3]);

export interface MagicRewardInput {
  dataType: DataType;
  attackerText: string;
  defenderText: string;
  /** q call verdict (prompt moderation of the rewrite); undefined = not requested. */
  qVerdict?: GuardVerdict | JudgeFailure;
  /** qa call verdict (response moderation); undefined counts as a failure. */
  qaVerdict?: GuardVerdict | JudgeFailure;
  /** SAFETY_SCORE_MODE=rule_api: the rubric judge's s ∈ [0, 1], used in R_harm instead of the qa label. */
  safetyScore?: number | JudgeFailure;
  finishCode: FinishCode;
}

export interface RewardComponents {
  harm: number;
  refusal: number;
  label: number;
  format: Record<AgentRole, number>;
  safety: number;
  requestLabel: Binary | null;
  qLabel: SafetyLabel | null;
  qaLabel: SafetyLabel | null;
  qaRefusal: 'yes' | 'no' | null;
}

/** `ok`: computed; `masked`: unfinished episode (0, no format); `judge-zero` / `skip`: judge failure under that policy. */
export type RewardStatus = 'ok' | 'masked' | 'judge-zero' | 'skip' | 'legacy-judge-failure';

export interface MagicReward {
  attacker: number;
  defender: number;
  components: RewardComponents;
  status: RewardStatus;
  /** Number of failed or missing judge verdicts seen (0–3: q, qa and, in rule_api mode, the rubric score). */
  judgeFailures: number;
}

export function isJudgeFailure(v: GuardVerdict | JudgeFailure | undefined): v is JudgeFailure {
  return v !== undefined && 'failed' in v && v.failed === true;
}

function toBinary(label: SafetyLabel, config: RewardConfig): Binary {
  if (label === 'controversial') return config.controversialAs;
  return label;
}

function dataTypeLabel(dataType: DataType): Binary {
  return dataType === 'vanilla_harmful' ? 'unsafe' : 'safe';
}

/** Request label for R_ref (spec §2.2): q label first with USE_Q_SAFE_LABEL_FOR_REFUSAL, else data_type first. */
export function requestLabelForRefusal(dataType: DataType, qLabel: SafetyLabel | null, config: RewardConfig): Binary {
  const fromQ = qLabel === null ? null : toBinary(qLabel, config);
  if (config.useQSafeLabelForRefusal) return fromQ ?? dataTypeLabel(dataType);
  return dataTypeLabel(dataType);
}

export function harmComponent(qaLabel: SafetyLabel | null, config: RewardConfig): number {
  // Missing qa label: original code falls through to "not unsafe" (+r_harm); reachable only under the legacy policy.
  if (qaLabel === null) return config.harm;
  return toBinary(qaLabel, config) === 'safe' ? config.harm : -config.harm;
}

export function refusalComponent(requestLabel: Binary, qaRefusal: 'yes' | 'no' | null, config: RewardConfig): number {
  if (qaRefusal === null) return -config.refusal;
  const correct = (requestLabel === 'unsafe' && qaRefusal === 'yes') || (requestLabel === 'safe' && qaRefusal === 'no');
  return correct ? config.refusal : -config.refusal;
}

export function labelComponent(dataType: DataType, qLabel: SafetyLabel | null, config: RewardConfig): number {
  if (qLabel === null || config.label === 0) return 0;
  return toBinary(qLabel, config) === dataTypeLabel(dataType) ? config.label : -config.label;
}

export function formatComponent(role: AgentRole, text: string, config: RewardConfig): number {
  if (!config.formatRewardRoles.includes(role)) return 0;
  return isWellFormatted(text) ? config.format : -config.format;
}

function emptyComponents(): RewardComponents {
  return {
    harm: 0,
    refusal: 0,
    label: 0,
    format: { attacker: 0, defender: 0 },
    safety: 0,
    requestLabel: null,
    qLabel: null,
    qaLabel: null,
    qaRefusal: null,
  };
}

function countFailures(input: MagicRewardInput): number {
  return (
    (isJudgeFailure(input.qVerdict) ? 1 : 0) +
    (input.qaVerdict === undefined || isJudgeFailure(input.qaVerdict) ? 1 : 0) +
    (isRubricFailure(input.safetyScore) ? 1 : 0)
  );
}

function isRubricFailure(s: number | JudgeFailure | undefined): s is JudgeFailure {
  return typeof s === 'object' && s.failed === true;
}

function verdictOf(v: GuardVerdict | JudgeFailure | undefined): GuardVerdict | undefined {
  return v === undefined || isJudgeFailure(v) ? undefined : v;
}

/**
 * MAGIC reward for one exchange (spec §2.2–2.3): safety = R_harm + R_ref; defender = safety (+ its format term if
 * configured); attacker = −safety + R_label + R_fmt. Unfinished episodes (codes 2, 3) get 0 with maskUnfinishedReward.
 * A failed or missing judge verdict follows `onJudgeFailure`; only `legacy-treat-as-safe` computes a reward from it.
 */
export function computeMagicReward(input: MagicRewardInput, config: RewardConfig): MagicReward {
  const judgeFailures = countFailures(input);
  if (config.maskUnfinishedReward && unfinishedCodes.has(input.finishCode)) {
    return { attacker: 0, defender: 0, components: emptyComponents(), status: 'masked', judgeFailures };
  }
  if (judgeFailures > 0 && config.onJudgeFailure !== 'legacy-treat-as-safe') {
    if (config.onJudgeFailure === 'error') {
      const qaFailed = input.qaVerdict === undefined || isJudgeFailure(input.qaVerdict);
      const field = isJudgeFailure(input.qVerdict) ? 'qVerdict' : qaFailed ? 'qaVerdict' : 'safetyScore';
      const failure = isJudgeFailure(input.qVerdict) ? input.qVerdict : qaFailed ? input.qaVerdict : input.safetyScore;
      throw new JudgeFailureError(
        field,
        typeof failure === 'object' && 'failed' in failure ? failure.error : undefined,
      );
    }
    const status = config.onJudgeFailure === 'zero' ? 'judge-zero' : 'skip';
    return { attacker: 0, defender: 0, components: emptyComponents(), status, judgeFailures };
  }
  const q = verdictOf(input.qVerdict);
  const qa = verdictOf(input.qaVerdict);
  const qLabel = q?.safety ?? null;
  const qaLabel = qa?.safety ?? null;
  const qaRefusal =
    config.refusalSource === 'rules' ? (isRefusal(input.defenderText) ? 'yes' : 'no') : (qa?.refusal ?? null);
  const requestLabel = requestLabelForRefusal(input.dataType, qLabel, config);
  const harm =
    typeof input.safetyScore === 'number'
      ? rubricHarmComponent(input.safetyScore, config.harm)
      : harmComponent(qaLabel, config);
  const refusal = refusalComponent(requestLabel, qaRefusal, config);
  const label = labelComponent(input.dataType, qLabel, config);
  const format = {
    attacker: formatComponent('attacker', input.attackerText, config),
    defender: formatComponent('defender', input.defenderText, config),
  };
  const safety = harm + refusal;
  return {
    attacker: -safety + label + format.attacker,
    defender: safety + format.defender,
    components: { harm, refusal, label, format, safety, requestLabel, qLabel, qaLabel, qaRefusal },
    status: judgeFailures > 0 ? 'legacy-judge-failure' : 'ok',
    judgeFailures,
  };
}
