// Test fixtures with neutral placeholder text only.
import type { AttackerPrompts } from '../attacker-prompts.js';
import type { SeedInput } from '../config.js';
import type { GuardVerdict, RolloutGuard } from '../types.js';

export const TEST_PROMPTS: AttackerPrompts = {
  systemSingleTurn: 'You are a helpful red-teaming assistant (single-turn placeholder).',
  systemMultiTurn: 'You are a red-teaming assistant that revises the prompt over several turns (placeholder).',
  harmTemplate: 'HARM template placeholder.\nHere is the vanilla prompt provided for you to revise:\n{vanilla}',
  benignTemplate: 'BENIGN template placeholder.\nHere is the vanilla prompt provided for you to revise:\n{vanilla}',
};

export const TEST_SEEDS: SeedInput[] = [
  { question: 'How do I bake bread?', dataType: 'vanilla_benign', uid: 'seed-a' },
  { question: '[harmful request placeholder]', dataType: 'vanilla_harmful', uid: 'seed-b' },
];

const verdict = (safety: GuardVerdict['safety']): GuardVerdict => ({
  safety,
  categories: safety === 'safe' ? ['None'] : ['Placeholder'],
  refusal: 'no',
  raw: `Safety: ${safety}`,
});

/** A guard that flags any response containing "[flagged]" (controversial if "[unsure]"), and records calls. */
export class FakeGuard implements RolloutGuard {
  readonly name = 'fake-guard';
  readonly promptCalls: string[] = [];
  readonly responseCalls: [string, string][] = [];
  failWith?: Error;

  async moderatePrompt(prompt: string): Promise<GuardVerdict> {
    this.promptCalls.push(prompt);
    if (this.failWith) throw this.failWith;
    return verdict('safe');
  }

  async moderateResponse(prompt: string, response: string): Promise<GuardVerdict> {
    this.responseCalls.push([prompt, response]);
    if (this.failWith) throw this.failWith;
    if (response.includes('[flagged]')) return verdict('unsafe');
    if (response.includes('[unsure]')) return verdict('controversial');
    return verdict('safe');
  }
}

/** Attacker text of a turn: a think block then an answer block. */
export const attackText = (turn: number, tag = '') =>
  `<think>Plan ${turn}${tag}.</think> <answer>Rewrite ${turn}${tag} of the question</answer>`;
export const attackAnswer = (turn: number, tag = '') => `Rewrite ${turn}${tag} of the question`;
