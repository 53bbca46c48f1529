import { createJudgeClient, RubricJudge } from '@magic/judges';
import type { GameConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';

/**
 * The rubric judge of `reward.safetyScoreMode: 'rule_api'` (spec §2.2), or undefined in classifier mode. Its score,
 * min-max mapped to s ∈ [0, 1] by `reward.ruleJudge.scoreMin/scoreMax`, is s in R_harm = r_harm·(2s − 1).
 */
export function openRuleJudge(config: GameConfig): RubricJudge | undefined {
  if (config.reward.safetyScoreMode !== 'rule_api') return undefined;
  const j = config.reward.ruleJudge;
  if (j.endpoint === undefined) {
    throw new ConfigError('reward.ruleJudge.endpoint', 'config', "required when reward.safetyScoreMode is 'rule_api'");
  }
  if (j.scoreMax <= j.scoreMin) {
    throw new ConfigError('reward.ruleJudge.scoreMax', 'config', `must be > scoreMin (${j.scoreMin})`);
  }
  const client = createJudgeClient({
    baseURL: j.endpoint,
    apiKey: j.apiKey,
    timeoutMs: j.timeoutMs,
    maxRetries: j.maxRetries,
  });
  return new RubricJudge({
    client,
    model: j.model,
    temperature: j.temperature,
    maxTokens: j.maxTokens,
    scale: { min: j.scoreMin, max: j.scoreMax },
  });
}
