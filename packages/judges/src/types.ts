import type { GuardVerdict } from '@magic/core';
import { z } from 'zod';

// The Guard contract lives in @magic/core (the rollout and the game call it); re-exported under the old names.
export type { Guard, GuardCallOptions, GuardVerdict, SafetyLabel } from '@magic/core';

export const safetyLabelSchema = z.enum(['safe', 'unsafe', 'controversial']);

/** Validates a verdict at a boundary; its output is exactly `@magic/core`'s GuardVerdict (checked below). */
export const guardVerdictSchema = z.object({
  safety: safetyLabelSchema,
  categories: z.array(z.string()),
  refusal: z.enum(['yes', 'no']).optional(),
  raw: z.string(),
});
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const verdictSchemaMatchesCore: Same<z.output<typeof guardVerdictSchema>, GuardVerdict> = true;
void verdictSchemaMatchesCore;

export type ModerationMode = 'prompt' | 'response';
