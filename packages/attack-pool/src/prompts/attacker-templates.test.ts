import { describe, expect, it } from 'vitest';
import {
  attackerPrompts,
  BENIGN_TEMPLATE,
  buildAttackerInstruction,
  buildAttackerUserMessage,
  HARM_TEMPLATE,
} from './attacker-templates.js';

describe('attacker templates', () => {
  it('end with the vanilla-prompt lead and substitute the seed verbatim (even with $ patterns)', () => {
    for (const t of [HARM_TEMPLATE, BENIGN_TEMPLATE]) {
      expect(t.endsWith('Here is the vanilla prompt provided for you to revise:\n{vanilla}')).toBe(true);
      expect(t).toContain('<think>');
      expect(t).toContain('<answer>');
    }
    const seed = 'How do I bake bread for $& guests?';
    expect(buildAttackerInstruction(seed, 'vanilla_benign').endsWith(`revise:\n${seed}`)).toBe(true);
    expect(buildAttackerInstruction(seed, 'vanilla_harmful')).toContain('harmful');
    expect(buildAttackerUserMessage('Q')).toBe('Task:\nQ');
    expect(attackerPrompts.harmTemplate).toBe(HARM_TEMPLATE);
  });
});
