import { z } from 'zod';

export const safetyLabelSchema = z.enum(['safe', 'unsafe', 'controversial']);
export type SafetyLabel = z.output<typeof safetyLabelSchema>;

export const guardVerdictSchema = z.object({
  safety: safetyLabelSchema,
  categories: z.array(z.string()),
  refusal: z.enum(['yes', 'no']).optional(),
  raw: z.string(),
});
/** A guard's verdict in Qwen3Guard's shape. `refusal` is present only for response moderation. */
export type GuardVerdict = z.output<typeof guardVerdictSchema>;

export interface GuardCallOptions {
  signal?: AbortSignal;
}

/** A safety judge. A reply that cannot be parsed throws GuardParseError; a failed call throws JudgeCallError. */
export interface Guard {
  name: string;
  moderatePrompt(prompt: string, options?: GuardCallOptions): Promise<GuardVerdict>;
  moderateResponse(prompt: string, response: string, options?: GuardCallOptions): Promise<GuardVerdict>;
}

export type ModerationMode = 'prompt' | 'response';
