import { attackerPrompts as magicAttackerPrompts } from '@magic/attack-pool';
import { z } from 'zod';
import type { Seed } from './config.js';

/**
 * The attacker's prompt texts (spec §2.5). Templates contain the placeholder `{vanilla}` (the
 * vanilla seed); they end with MAGIC's "Here is the vanilla prompt provided for you to revise:" line.
 */
export const AttackerPromptsSchema = z.object({
  systemSingleTurn: z.string().min(1),
  systemMultiTurn: z.string().min(1),
  harmTemplate: z.string().includes('{vanilla}'),
  benignTemplate: z.string().includes('{vanilla}'),
});
export type AttackerPrompts = z.output<typeof AttackerPromptsSchema>;

/** The attacker's system prompt: the multi-turn variant when maxNumTurns > 1. */
export function attackerSystemPrompt(prompts: AttackerPrompts, maxNumTurns: number): string {
  return maxNumTurns > 1 ? prompts.systemMultiTurn : prompts.systemSingleTurn;
}

/** The dataset's first user message for a seed: its own `attackerTemplate`, else HARM/BENIGN template filled in. */
export function attackerTask(seed: Seed, prompts: AttackerPrompts): string {
  if (seed.attackerTemplate !== undefined) return seed.attackerTemplate;
  const template = seed.dataType === 'vanilla_harmful' ? prompts.harmTemplate : prompts.benignTemplate;
  return template.replace('{vanilla}', () => seed.question);
}

/** MAGIC's attacker prompts as shipped by `@magic/attack-pool` (the default of runRollout). */
export const defaultAttackerPrompts: AttackerPrompts = { ...magicAttackerPrompts };
