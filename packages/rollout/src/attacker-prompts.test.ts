import { buildAttackerInstruction } from '@magic/attack-pool';
import { describe, expect, it } from 'vitest';
import { attackerSystemPrompt, attackerTask, defaultAttackerPrompts } from './attacker-prompts.js';
import { SeedSchema } from './config.js';

describe('attacker prompts', () => {
  it("default prompts build the attack-pool's dataset instruction for both data types", () => {
    for (const dataType of ['vanilla_harmful', 'vanilla_benign'] as const) {
      const seed = SeedSchema.parse({ question: 'How do I bake bread?', dataType });
      expect(attackerTask(seed, defaultAttackerPrompts)).toBe(buildAttackerInstruction(seed.question, dataType));
    }
  });
  it("a seed's own attackerTemplate wins; the system prompt follows maxNumTurns", () => {
    const seed = SeedSchema.parse({ question: 'q', dataType: 'vanilla_benign', attackerTemplate: 'own template' });
    expect(attackerTask(seed, defaultAttackerPrompts)).toBe('own template');
    expect(attackerSystemPrompt(defaultAttackerPrompts, 1)).toBe(defaultAttackerPrompts.systemSingleTurn);
    expect(attackerSystemPrompt(defaultAttackerPrompts, 3)).toBe(defaultAttackerPrompts.systemMultiTurn);
  });
});
