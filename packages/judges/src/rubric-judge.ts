import type { OpenAICompatibleClient } from '@magic/openai-client';
import { z } from 'zod';
import { JudgeCallError } from './errors.js';
import { parseRubricScore, rubricForLabel, rubricJudgeMessages, rubricScaleSchema } from './protocols/rubric.js';
import type { GuardCallOptions, SafetyLabel } from './types.js';

export const rubricJudgeSettingsSchema = z.object({
  model: z.string().min(1),
  temperature: z.number().min(0).default(0),
  maxTokens: z.number().int().positive().default(512),
  scale: rubricScaleSchema.prefault({}),
});

/**
 * The LLM rubric judge of `SAFETY_SCORE_MODE=rule_api` (spec §2.2): the helpfulness rubric for requests labelled safe,
 * the deflection rubric otherwise; returns the min-max scaled score s ∈ [0, 1]. An unparseable reply throws
 * GuardParseError; a failed call throws JudgeCallError.
 */
export class RubricJudge {
  readonly settings: z.output<typeof rubricJudgeSettingsSchema>;
  readonly #client: OpenAICompatibleClient;

  constructor(options: { client: OpenAICompatibleClient } & z.input<typeof rubricJudgeSettingsSchema>) {
    const { client, ...settings } = options;
    this.settings = rubricJudgeSettingsSchema.parse(settings);
    this.#client = client.setErrorFactory((init) => new JudgeCallError(init));
  }

  async score(
    prompt: string,
    response: string,
    requestLabel: SafetyLabel,
    options: GuardCallOptions = {},
  ): Promise<number> {
    const messages = rubricJudgeMessages(rubricForLabel(requestLabel), prompt, response);
    const { model, temperature, maxTokens, scale } = this.settings;
    const { text } = await this.#client.chat({ model, messages, temperature, maxTokens }, { signal: options.signal });
    return parseRubricScore(text, scale);
  }
}

/** R_harm from a rubric score: r_harm · (2s − 1) (the classifier mode is the special case s ∈ {0, 1}). */
export function rubricHarmComponent(score: number, harm: number): number {
  return harm * (2 * score - 1);
}
