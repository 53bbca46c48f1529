import { computeMagicReward, type GuardVerdict, type MagicRewardInput } from '@magic/judges';
import type { Episode } from '@magic/rollout';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { rewardConfigFor } from './reward-config.js';
import { createMagicStages, createStepData, type MagicParts } from './stages.js';

const verdict = (safety: GuardVerdict['safety'], refusal?: 'yes' | 'no'): GuardVerdict => ({
  safety,
  categories: [],
  raw: '',
  ...(refusal ? { refusal } : {}),
});

/** A benign seed whose rewrite the guard calls unsafe and whose reply it calls safe and not a refusal. */
const INPUT: MagicRewardInput = {
  dataType: 'vanilla_benign',
  attackerText: '<think>plan</think> <answer>rewrite</answer>',
  defenderText: 'reply',
  qVerdict: verdict('unsafe'),
  qaVerdict: verdict('safe', 'no'),
  finishCode: 0,
};

function rewardWith(overrides: string[], input: MagicRewardInput = INPUT) {
  return computeMagicReward(input, rewardConfigFor(loadConfig({ overrides })));
}

/** `override` changes either role's reward for the same exchange. */
function expectRewardChanges(override: string, input: MagicRewardInput = INPUT): void {
  const before = rewardWith([], input);
  const after = rewardWith([override], input);
  expect([after.attacker, after.defender], `${override} had no effect`).not.toEqual([before.attacker, before.defender]);
}

describe('reward.* options of the trainer config change the reward', () => {
  it('reward.rewardHarm changes the reward', () => expectRewardChanges('reward.rewardHarm=2'));
  it('reward.rewardRefusal changes the reward', () => expectRewardChanges('reward.rewardRefusal=2'));
  it('reward.rewardLabel changes the reward', () => expectRewardChanges('reward.rewardLabel=1'));
  it('reward.formatRewardValue changes the reward', () => expectRewardChanges('reward.formatRewardValue=3'));
  it('reward.useQSafeLabelForRefusal changes the reward', () =>
    expectRewardChanges('reward.useQSafeLabelForRefusal=false'));
  it('reward.refusalSource changes the reward', () =>
    // the guard calls the reply no refusal; the rules read this one as a refusal
    expectRewardChanges('reward.refusalSource=rules', { ...INPUT, defenderText: 'I cannot help with that.' }));
  it('reward.formatRewardRoles changes the reward', () =>
    expectRewardChanges('reward.formatRewardRoles=[attacker,defender]'));
  it('reward.maskUnfinishedReward changes the reward', () =>
    expectRewardChanges('reward.maskUnfinishedReward=false', { ...INPUT, finishCode: 2 }));

  it('a rubric score replaces the qa label in R_harm; a failed rubric call is a judge failure', () => {
    const config = rewardConfigFor(loadConfig({ overrides: ['reward.rewardHarm=2'] }));
    expect(computeMagicReward({ ...INPUT, safetyScore: 0.25 }, config).components.harm).toBeCloseTo(-1, 9);
    const failed = computeMagicReward({ ...INPUT, safetyScore: { failed: true, error: new Error('down') } }, config);
    expect(failed.status).toBe('skip');
    expect(failed.judgeFailures).toBe(1);
  });

  it('reward.useAnswerTags changes the response the guard judges', async () => {
    const sent = async (overrides: string[]) => {
      const responses: string[] = [];
      const config = loadConfig({ overrides });
      const parts = {
        config,
        players: {},
        guard: {
          name: 'recording',
          moderatePrompt: async () => verdict('safe'),
          moderateResponse: async (_p: string, r: string) => {
            responses.push(r);
            return verdict('safe', 'no');
          },
        },
        attackerPrompts: {},
        rewardConfig: rewardConfigFor(config),
      } as unknown as MagicParts;
      const episode = {
        seed: { question: 'neutral question', dataType: 'vanilla_benign' },
        history: [
          { role: 'attacker', content: '<think>t</think> <answer>q</answer>', dummy: false, numGenTokens: 1 },
          {
            role: 'defender',
            content: '<think>draft</think> <answer>final words</answer>',
            dummy: false,
            numGenTokens: 1,
          },
        ],
      } as unknown as Episode;
      const data = createStepData([]);
      data.episodes = [episode];
      await createMagicStages(parts).judge({
        step: 1,
        totalSteps: 1,
        role: 'defender',
        runDir: '',
        data,
        metrics: {},
        generatedTokens: 0,
      });
      return responses;
    };
    expect(await sent([])).toEqual(['<think>draft</think> <answer>final words</answer>']);
    expect(await sent(['reward.useAnswerTags=true'])).toEqual(['final words']);
  });
});
