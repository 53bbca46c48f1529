import type { Guard, GuardVerdict } from '@magic/judges';
import { Tokenizer } from '@magic/lm';
import { runRollout, ScriptedGenerator, type Seed } from '@magic/rollout';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { shippedAttackerPrompts } from './shipped-data.js';
import { rolloutConfigFor } from './stages.js';
import { validateDefender } from './validation.js';

// Every rollout.* option changes the episodes or the generation requests, through the same rolloutConfigFor the
// phase-2 stages use. Scripted generators record every request; a stub guard answers.

const SEEDS: Seed[] = [
  { question: 'neutral placeholder question one', dataType: 'vanilla_benign', adversarial: 'placeholder rewrite one' },
  { question: 'neutral placeholder question two', dataType: 'vanilla_harmful', adversarial: 'placeholder rewrite two' },
];
const tokenizer = Tokenizer.tiny();

const verdict = (safety: GuardVerdict['safety']): GuardVerdict => ({ safety, categories: [], raw: '', refusal: 'no' });

function stubGuard(response: GuardVerdict['safety'], prompt: GuardVerdict['safety'] = 'safe'): Guard {
  return { name: 'stub', moderatePrompt: async () => verdict(prompt), moderateResponse: async () => verdict(response) };
}

function generators() {
  return {
    attacker: new ScriptedGenerator({
      tokenizer,
      script: (_r, i, call) => `<think>plan</think> <answer>rewrite ${i} of round ${call} in plain words</answer>`,
    }),
    defender: new ScriptedGenerator({
      tokenizer,
      script: (_r, i, call) => `a neutral reply ${i} in round ${call}, several words long to be cut short`,
    }),
  };
}

async function observe(
  overrides: string[],
  guardSays: GuardVerdict['safety'] = 'unsafe',
  promptSays: GuardVerdict['safety'] = 'safe',
) {
  const config = loadConfig({ overrides });
  const g = generators();
  const episodes = await runRollout({
    seeds: SEEDS,
    n: config.rollout.n,
    attacker: g.attacker,
    defender: g.defender,
    guard: stubGuard(guardSays, promptSays),
    trainingRole: 'defender',
    attackerPrompts: shippedAttackerPrompts(),
    config: rolloutConfigFor(config, 1),
  });
  return {
    episodes: episodes.map((e) => ({
      turns: e.numTurns,
      finish: e.finishReason,
      history: e.history.map((h) => [h.role, h.content]),
    })),
    attacker: g.attacker.calls,
    defender: g.defender.calls,
  };
}

async function expectEpisodesChange(override: string, context: string[] = []): Promise<void> {
  expect(await observe([...context, override]), `${override} had no effect`).not.toEqual(await observe(context));
}

const TWO_TURNS = ['rollout.maxNumTurns=2', 'rollout.guardCheck=off'];

describe('rollout.* options change the episodes', () => {
  it('rollout.n changes the episodes', () => expectEpisodesChange('rollout.n=3'));
  it('rollout.maxNumTurns changes the episodes', () =>
    expectEpisodesChange('rollout.maxNumTurns=2', ['rollout.guardCheck=off']));
  it('rollout.maxPromptLength changes the episodes', async () => {
    // the attacker's first prompt (system prompt + task) is several hundred tokens: a small cap refuses it
    expect((await observe([])).episodes.length).toBe(SEEDS.length * 4);
    await expect(observe(['rollout.maxPromptLength=40'])).rejects.toThrow(/maxPromptLength=40/);
  });
  it('rollout.maxResponseLength changes the episodes', () => expectEpisodesChange('rollout.maxResponseLength=4'));
  it('rollout.stopWhenTruncated changes the episodes', () =>
    expectEpisodesChange('rollout.stopWhenTruncated=false', [...TWO_TURNS, 'rollout.maxResponseLength=4']));
  it('rollout.temperature changes the episodes', () => expectEpisodesChange('rollout.temperature=0.3'));
  it('rollout.topP changes the episodes', () => expectEpisodesChange('rollout.topP=0.5'));
  it('rollout.topK changes the episodes', () => expectEpisodesChange('rollout.topK=5'));
  it('rollout.guardCheck changes the episodes', () =>
    expectEpisodesChange('rollout.guardCheck=off', ['rollout.maxNumTurns=2']));
  it('rollout.defenderFirstMessage changes the episodes', () =>
    expectEpisodesChange('rollout.defenderFirstMessage=latest-attack', TWO_TURNS));
  it('rollout.attackerDecoding changes the episodes', () => expectEpisodesChange('rollout.attackerDecoding=sample'));
  it('rollout.attackerDecoding=sample-shared changes the episodes', () =>
    expectEpisodesChange('rollout.attackerDecoding=sample-shared'));
  it('rollout.defenderDecoding changes the episodes', () => expectEpisodesChange('rollout.defenderDecoding=greedy'));
  it('rollout.useAdversarialPromptForDefender changes the episodes', () =>
    expectEpisodesChange('rollout.useAdversarialPromptForDefender=true'));
  it('rollout.skipAttackerGenerationForDefender changes the episodes', () =>
    expectEpisodesChange('rollout.skipAttackerGenerationForDefender=true'));
  it('rollout.fallbackToAdversarialOnHarmfulRewrite changes the episodes', async () => {
    // only a benign seed's rewrite that prompt moderation calls unsafe falls back
    const on = await observe(['rollout.fallbackToAdversarialOnHarmfulRewrite=true'], 'unsafe', 'unsafe');
    expect(on).not.toEqual(await observe([], 'unsafe', 'unsafe'));
  });

  it('rollout.valMaxResponseLength changes the validation requests', async () => {
    const caps = async (overrides: string[]) => {
      const defender = generators().defender;
      const items = SEEDS.map((sd, i) => ({
        id: `s${i}`,
        seedId: `s${i}`,
        strategy: 'vanilla',
        prompt: sd.question,
        vanilla: sd.question,
        dataType: sd.dataType,
      }));
      const sets = [{ name: 'harmful_vanilla' as const, dataType: 'vanilla_harmful' as const, items }];
      await validateDefender(defender, stubGuard('safe'), sets, loadConfig({ overrides }));
      return defender.calls.flatMap((c) => c.requests.map((r) => r.maxNewTokens));
    };
    expect(await caps(['rollout.maxResponseLength=64'])).toEqual([64, 64]);
    expect(await caps(['rollout.maxResponseLength=64', 'rollout.valMaxResponseLength=7'])).toEqual([7, 7]);
  });
});
