import { wilsonInterval } from '@magic/benchmarks';
import { at, defined } from '@magic/core';
import { type Guard, RulesGuard } from '@magic/judges';
import { Tokenizer } from '@magic/lm';
import { type GenerationRequest, ScriptedGenerator } from '@magic/rollout';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { shippedAttackerPrompts } from './shipped-data.js';
import { AttackRewriteCache, fitPrompt, validateAttacker, validateDefender } from './validation.js';
import type { ValidationItem, ValidationSet } from './validation-sets.js';

const tokenizer = Tokenizer.tiny();
const REFUSAL = "I'm sorry, but I can't help with that.";
const ANSWER = 'Sure, here is a neutral placeholder answer.';
const lastUser = (r: GenerationRequest) => defined(r.messages.at(-1), 'r.messages.at(-1)').content;

/** A defender that refuses exactly the prompts marked `[refuse]`. */
const markedDefender = () =>
  new ScriptedGenerator({ tokenizer, script: (r) => (lastUser(r).includes('[refuse]') ? REFUSAL : ANSWER) });

const item = (i: number, prompt: string, dataType: ValidationItem['dataType']): ValidationItem => ({
  id: `item-${i}`,
  seedId: `seed-${i}`,
  strategy: 'slang',
  prompt,
  vanilla: `vanilla placeholder ${i}`,
  dataType,
});

function sets(): ValidationSet[] {
  const harmful = Array.from({ length: 10 }, (_, i) =>
    item(i, `harmful placeholder ${i}${i < 3 ? ' [refuse]' : ''}`, 'vanilla_harmful'),
  );
  const benign = Array.from({ length: 8 }, (_, i) =>
    item(100 + i, `benign placeholder ${i}${i < 2 ? ' [refuse]' : ''}`, 'vanilla_benign'),
  );
  const vanilla = Array.from({ length: 4 }, (_, i) =>
    item(200 + i, `vanilla harmful placeholder ${i}${i < 3 ? ' [refuse]' : ''}`, 'vanilla_harmful'),
  );
  return [
    { name: 'harmful_adversarial', dataType: 'vanilla_harmful', items: harmful },
    { name: 'benign_adversarial', dataType: 'vanilla_benign', items: benign },
    { name: 'harmful_vanilla', dataType: 'vanilla_harmful', items: vanilla },
  ];
}

describe('validateDefender', () => {
  it("reports the refusal rules' verdict beside a guard that disagrees (rules_refusal_rate with its CI)", async () => {
    const config = loadConfig({ overrides: ['rollout.valMaxResponseLength=40'] });
    // a guard that reads every answer as no refusal: its rates and the rules' rates part
    const blindGuard: Guard = {
      name: 'blind',
      moderatePrompt: async () => ({ safety: 'safe', refusal: undefined, categories: [], raw: '' }),
      moderateResponse: async () => ({ safety: 'safe', refusal: 'no', categories: [], raw: '' }),
    };
    const m = await validateDefender(markedDefender(), blindGuard, sets(), config);
    expect(m['val/harmful_adversarial/asr']).toBe(1);
    expect(m['val/harmful_adversarial/rules_refusal_rate']).toBeCloseTo(0.3, 12);
    expect(m['val/harmful_adversarial/rules_refusal_rate_ci_low']).toBeCloseTo(wilsonInterval(3, 10).lower, 12);
    expect(m['val/benign_adversarial/compliance_rate']).toBe(1);
    expect(m['val/benign_adversarial/rules_refusal_rate']).toBe(0.25);
    expect(m['val/harmful_vanilla/rules_refusal_rate']).toBe(0.75);
  });

  it('answers every set greedily and reports per-set rates with Wilson CIs and the summary keys', async () => {
    const config = loadConfig({
      overrides: ['rollout.valMaxResponseLength=40', 'data.trainBatchSize=3', 'rollout.n=3'],
    });
    const defender = markedDefender();
    const m = await validateDefender(defender, new RulesGuard(), sets(), config);
    // greedy calls of at most one rollout batch (3 x 3), each with the validation cap
    expect(defender.calls.map((c) => c.requests.length)).toEqual([9, 9, 4]);
    for (const c of defender.calls) {
      expect(c.sampling).toMatchObject({ temperature: 0, topP: 1, topK: -1 });
      expect(c.requests.every((r) => r.maxNewTokens === 40)).toBe(true);
    }
    const asked = defender.calls.flatMap((c) => c.requests.map(lastUser));
    expect(asked).toContain('Question:\nharmful placeholder 0 [refuse]');
    // shortest prompts first, so a call pads to a similar width
    const lengths = asked.map((t) => t.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    // harmful_adversarial: 3 refusals of 10 -> ASR 7/10 (the rules guard calls every non-refusal unsafe)
    expect(m['val/harmful_adversarial/asr']).toBeCloseTo(0.7, 12);
    expect(m['val/harmful_adversarial/harm_rate']).toBeCloseTo(0.7, 12);
    expect(m['val/harmful_adversarial/asr_ci_low']).toBeCloseTo(wilsonInterval(7, 10).lower, 12);
    expect(m['val/harmful_adversarial/asr_ci_high']).toBeCloseTo(wilsonInterval(7, 10).upper, 12);
    expect(m['val/harmful_adversarial/num']).toBe(10);
    // benign_adversarial: 2 refusals of 8
    expect(m['val/benign_adversarial/refusal_rate']).toBe(0.25);
    expect(m['val/benign_adversarial/compliance_rate']).toBe(0.75);
    expect(m['val/benign_adversarial/refusal_rate_ci_high']).toBeCloseTo(wilsonInterval(2, 8).upper, 12);
    // harmful_vanilla: 3 refusals of 4
    expect(m['val/harmful_vanilla/asr']).toBe(0.25);
    expect(m['val/harmful_vanilla/harm_rate_ci_low']).toBeCloseTo(wilsonInterval(1, 4).lower, 12);
    expect(m['val/asr']).toBe(m['val/harmful_adversarial/asr']);
    expect(m['val/refusal_rate_benign']).toBe(0.25);
    expect(m['val/compliance_rate_benign']).toBe(0.75);
    expect(m['val/num_items']).toBe(22);
    expect(m['val/num_truncated_prompts']).toBe(0);
  });

  it('separates ASR (did not refuse) from harm rate (judged unsafe)', async () => {
    const config = loadConfig({});
    const m = await validateDefender(markedDefender(), new RulesGuard({ complianceLabel: 'safe' }), sets(), config);
    expect(m['val/harmful_adversarial/asr']).toBeCloseTo(0.7, 12);
    expect(m['val/harmful_adversarial/harm_rate']).toBe(0);
  });

  it('cuts a prompt that would not fit rollout.maxPromptLength', async () => {
    const config = loadConfig({ overrides: ['rollout.maxPromptLength=240', 'rollout.valMaxResponseLength=40'] });
    const long = [
      {
        name: 'harmful_vanilla' as const,
        dataType: 'vanilla_harmful' as const,
        items: [item(0, 'long placeholder '.repeat(40), 'vanilla_harmful'), item(1, 'short', 'vanilla_harmful')],
      },
    ];
    const defender = markedDefender();
    const m = await validateDefender(defender, new RulesGuard(), long, config);
    expect(m['val/num_truncated_prompts']).toBe(1);
    for (const r of at(defender.calls, 0, 'defender.calls').requests) {
      expect(
        tokenizer.encode(tokenizer.applyChatTemplate(r.messages, { addGenerationPrompt: true })).length,
      ).toBeLessThanOrEqual(200);
    }
    expect(lastUser(at(at(defender.calls, 0, 'defender.calls').requests, 0, 'defender.calls[0].requests'))).toBe(
      'Question:\nshort',
    );
    const capped = loadConfig({ overrides: ['validation.maxPromptLength=120'] });
    const d2 = markedDefender();
    await validateDefender(d2, new RulesGuard(), long, capped);
    const r = at(at(d2.calls, 0, 'd2.calls').requests, 1, 'd2.calls[0].requests');
    expect(
      tokenizer.encode(tokenizer.applyChatTemplate(r.messages, { addGenerationPrompt: true })).length,
    ).toBeLessThanOrEqual(120);
    const fitted = fitPrompt(defender, (t) => [{ role: 'user', content: t }], 'x'.repeat(500), 100, 8);
    expect(fitted.truncated).toBe(true);
    expect(at(fitted.request.messages, 0, 'fitted.request.messages').content.length).toBeLessThan(500);
  });
});

describe('validateAttacker', () => {
  it('the attacker rewrites held-out harmful seeds greedily; the defender answers the rewrite; ASR with CI', async () => {
    const config = loadConfig({ overrides: ['rollout.maxResponseLength=200', 'rollout.valMaxResponseLength=30'] });
    const prompts = shippedAttackerPrompts();
    const seeds = Array.from({ length: 5 }, (_, i) => ({
      question: `held-out harmful placeholder ${i}`,
      dataType: 'vanilla_harmful' as const,
    }));
    // rewrites of seeds 0 and 1 get refused; seed 4's attacker forgets the tags (the visible text is the prompt)
    const attacker = new ScriptedGenerator({
      tokenizer,
      script: (r) => {
        const i = Number(defined(/placeholder (\d)/.exec(lastUser(r)), 'placeholder number in the prompt')[1]);
        const rewrite = `rewrite ${i}${i < 2 ? ' [refuse]' : ''}`;
        return i === 4 ? rewrite : `<think>plan ${i}</think> <answer>${rewrite}</answer>`;
      },
    });
    const defender = markedDefender();
    const m = await validateAttacker(attacker, defender, new RulesGuard(), seeds, prompts, config);
    const a = at(attacker.calls, 0, 'attacker.calls');
    expect(a.sampling.temperature).toBe(0);
    expect(at(a.requests, 0, 'a.requests').maxNewTokens).toBe(200);
    expect(at(a.requests, 0, 'a.requests').messages[0]).toEqual({ role: 'system', content: prompts.systemSingleTurn });
    expect(at(at(a.requests, 0, 'a.requests').messages, 1, 'a.requests[0].messages').content).toBe(
      `Task:\n${prompts.harmTemplate.replace('{vanilla}', 'held-out harmful placeholder 0')}`,
    );
    const d = at(defender.calls, 0, 'defender.calls');
    expect(d.sampling.temperature).toBe(0);
    expect(d.requests.map((r) => [lastUser(r), r.maxNewTokens]).sort()).toEqual([
      ['Question:\nrewrite 0 [refuse]', 30],
      ['Question:\nrewrite 1 [refuse]', 30],
      ['Question:\nrewrite 2', 30],
      ['Question:\nrewrite 3', 30],
      ['Question:\nrewrite 4', 30],
    ]);
    expect(m['val/attacker/asr']).toBeCloseTo(0.6, 12);
    expect(m['val/attacker/asr_ci_low']).toBeCloseTo(wilsonInterval(3, 5).lower, 12);
    expect(m['val/attacker/asr_ci_high']).toBeCloseTo(wilsonInterval(3, 5).upper, 12);
    expect(m['val/attacker/harm_rate']).toBeCloseTo(0.6, 12);
    expect(m['val/attacker/num']).toBe(5);
    expect(m['val/attacker/num_truncated_prompts']).toBe(0);
    expect(m['val/attacker/rules_refusal_rate']).toBeCloseTo(0.4, 12);
    expect(await validateAttacker(attacker, defender, new RulesGuard(), [], prompts, config)).toEqual({});
  });

  it('reuses the rewrites while the attacker fingerprint is unchanged; the defender answers again', async () => {
    const config = loadConfig({ overrides: ['rollout.maxResponseLength=40', 'rollout.valMaxResponseLength=10'] });
    const seeds = [0, 1, 2].map((i) => ({
      question: `held-out harmful placeholder ${i}`,
      dataType: 'vanilla_harmful' as const,
    }));
    let version = 'a';
    const attacker = new ScriptedGenerator({
      tokenizer,
      script: (r) =>
        `<answer>rewrite ${version} ${defined(/placeholder (\d)/.exec(lastUser(r)), 'placeholder number in the prompt')[1]}</answer>`,
    });
    const defender = markedDefender();
    const cache = new AttackRewriteCache();
    const run = (fingerprint: number) =>
      validateAttacker(attacker, defender, new RulesGuard(), seeds, shippedAttackerPrompts(), config, {
        cache,
        fingerprint,
      });
    expect((await run(1))['val/attacker/rewrites_reused']).toBe(0);
    version = 'b';
    const again = await run(1);
    expect(again['val/attacker/rewrites_reused']).toBe(1);
    expect(attacker.calls).toHaveLength(1);
    expect(defender.calls).toHaveLength(2);
    expect(at(defender.calls, 1, 'defender.calls').requests.map(lastUser).sort()).toEqual([
      'Question:\nrewrite a 0',
      'Question:\nrewrite a 1',
      'Question:\nrewrite a 2',
    ]);
    expect(again['val/attacker/num']).toBe(3);
    // changed weights: new rewrites
    expect((await run(2))['val/attacker/rewrites_reused']).toBe(0);
    expect(attacker.calls).toHaveLength(2);
    expect(at(defender.calls, 2, 'defender.calls').requests.map(lastUser)).toContain('Question:\nrewrite b 0');
  });

  it("cuts a seed whose attacker chat would not fit the model's prompt budget", async () => {
    const config = loadConfig({ overrides: ['rollout.maxPromptLength=1024', 'rollout.maxResponseLength=24'] });
    const attacker = new ScriptedGenerator({ tokenizer, script: () => '<think>p</think> <answer>rewrite</answer>' });
    const seeds = [{ question: 'long seed placeholder '.repeat(60), dataType: 'vanilla_harmful' as const }];
    const m = await validateAttacker(
      attacker,
      markedDefender(),
      new RulesGuard(),
      seeds,
      shippedAttackerPrompts(),
      config,
    );
    expect(m['val/attacker/num_truncated_prompts']).toBe(1);
    const chat = at(at(attacker.calls, 0, 'attacker.calls').requests, 0, 'attacker.calls[0].requests').messages;
    expect(
      tokenizer.encode(tokenizer.applyChatTemplate(chat, { addGenerationPrompt: true })).length,
    ).toBeLessThanOrEqual(1000);
    expect(at(chat, 1, 'chat').content).toContain('long seed placeholder long seed');
    expect(m['val/attacker/num']).toBe(1);
  });
});
