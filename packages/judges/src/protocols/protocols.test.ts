import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { GuardParseError } from '../errors.js';
import { buildHarmBenchClassifierInput, parseHarmBenchReply } from './harmbench.js';
import { parseQwen3GuardReply, qwen3GuardProtocol, renderQwen3GuardReply } from './qwen3guard.js';
import { parseRubricScore, rubricForLabel, rubricJudgeMessages } from './rubric.js';
import { buildWildGuardInput, parseWildGuardReply, wildGuardProtocol } from './wildguard.js';

function parseError(fn: () => unknown): GuardParseError {
  try {
    fn();
  } catch (e) {
    expect(GuardParseError.isInstance(e)).toBe(true);
    return e as GuardParseError;
  }
  throw new Error('expected a GuardParseError');
}

describe('Qwen3Guard-Gen', () => {
  it('parses prompt moderation', () => {
    expect(parseQwen3GuardReply('Safety: Unsafe\nCategories: Violent, Jailbreak', 'prompt')).toEqual({
      safety: 'unsafe',
      categories: ['Violent', 'Jailbreak'],
      raw: 'Safety: Unsafe\nCategories: Violent, Jailbreak',
    });
    expect(parseQwen3GuardReply('Safety: Safe\nCategories: None', 'prompt').categories).toEqual([]);
    expect(
      parseQwen3GuardReply('Safety: Controversial\nCategories: Politically Sensitive Topics', 'prompt').safety,
    ).toBe('controversial');
  });

  it('parses response moderation with Refusal', () => {
    const v = parseQwen3GuardReply('Safety: Safe\nCategories: None\nRefusal: Yes', 'response');
    expect([v.safety, v.refusal]).toEqual(['safe', 'yes']);
    expect(parseQwen3GuardReply('Safety: Unsafe\nCategories: PII\nRefusal: No\n', 'response').refusal).toBe('no');
  });

  it('rejects malformed replies with a typed error instead of a default label', () => {
    expect(parseError(() => parseQwen3GuardReply('I think this is fine.', 'prompt')).field).toBe('Safety');
    expect(parseError(() => parseQwen3GuardReply('Safety: Maybe\nCategories: None', 'prompt')).field).toBe('Safety');
    expect(parseError(() => parseQwen3GuardReply('Safety: Safe', 'prompt')).field).toBe('Categories');
    expect(parseError(() => parseQwen3GuardReply('Safety: Safe\nCategories: None', 'response')).field).toBe('Refusal');
    expect(parseError(() => parseQwen3GuardReply('', 'prompt')).protocol).toBe('qwen3guard');
  });

  it('round-trips rendered verdicts', () => {
    const text = renderQwen3GuardReply({ safety: 'unsafe', categories: ['Violent'], refusal: 'no' }, 'response');
    expect(text).toBe('Safety: Unsafe\nCategories: Violent\nRefusal: No');
    expect(qwen3GuardProtocol.parseResponseModeration(text)).toMatchObject({
      safety: 'unsafe',
      categories: ['Violent'],
      refusal: 'no',
    });
    expect(renderQwen3GuardReply({ safety: 'safe', categories: [] }, 'prompt')).toBe('Safety: Safe\nCategories: None');
  });

  it('sends raw chat messages, as MAGIC does', () => {
    expect(qwen3GuardProtocol.responseModeration('p', 'r')).toEqual([
      { role: 'user', content: 'p' },
      { role: 'assistant', content: 'r' },
    ]);
  });
});

describe('WildGuard', () => {
  it('builds the instruction format', () => {
    const input = buildWildGuardInput('How do I bake bread?', 'Mix flour and water.');
    expect(input).toContain(
      'Human user:\nHow do I bake bread?\n\nAI assistant:\nMix flour and water.\n\n---\n\nAnswers: [/INST]\n<|assistant|>\n',
    );
    expect(input.startsWith('<s><|user|>\n[INST] You are a classifier')).toBe(true);
  });

  it('parses the three lines', () => {
    expect(parseWildGuardReply('Harmful request: yes\nResponse refusal: yes\nHarmful response: no')).toEqual({
      harmfulRequest: true,
      responseRefusal: true,
      harmfulResponse: false,
    });
    expect(parseWildGuardReply(' Harmful request: no\nResponse refusal: n/a\nHarmful response: n/a')).toMatchObject({
      responseRefusal: null,
    });
    const v = wildGuardProtocol.parseResponseModeration(
      'Harmful request: yes\nResponse refusal: no\nHarmful response: yes',
    );
    expect([v.safety, v.refusal]).toEqual(['unsafe', 'no']);
    expect(
      wildGuardProtocol.parsePromptModeration('Harmful request: no\nResponse refusal: n/a\nHarmful response: n/a')
        .safety,
    ).toBe('safe');
  });

  it('rejects missing lines and n/a where a verdict is needed', () => {
    expect(parseError(() => parseWildGuardReply('Harmful request: yes')).field).toBe('Response refusal');
    expect(
      parseError(() => parseWildGuardReply('Harmful request: n/a\nResponse refusal: no\nHarmful response: no')).field,
    ).toBe('Harmful request');
    parseError(() =>
      wildGuardProtocol.parseResponseModeration('Harmful request: no\nResponse refusal: n/a\nHarmful response: n/a'),
    );
  });
});

describe('HarmBench classifier', () => {
  it('builds standard and contextual prompts', () => {
    const standard = buildHarmBenchClassifierInput({ behavior: '[behavior placeholder]', generation: 'text' });
    expect(standard).toContain('following behavior (subject to the rules below)');
    expect(standard).not.toContain('[CONTEXT]');
    expect(standard.endsWith('Answer: [/INST]')).toBe(true);
    const contextual = buildHarmBenchClassifierInput({ behavior: 'b', generation: 'g', context: 'some context' });
    expect(contextual).toContain('given the context (subject to the rules below)');
    expect(contextual).toContain('[CONTEXT]:\nsome context\n\n[BEHAVIOR]:\nb');
  });

  it('parses yes/no strictly', () => {
    expect(parseHarmBenchReply('Yes')).toBe(true);
    expect(parseHarmBenchReply(' no\n')).toBe(false);
    parseError(() => parseHarmBenchReply('maybe'));
    parseError(() => parseHarmBenchReply('yes, because'));
  });
});

describe('rubric judge', () => {
  it('chooses the rubric from the request label', () => {
    expect(rubricForLabel('safe')).toBe('helpfulness');
    expect(rubricForLabel('controversial')).toBe('deflection');
    expect(
      at(rubricJudgeMessages('deflection', 'p', 'r'), 0, "rubricJudgeMessages('deflection', 'p', 'r')").content,
    ).toContain('harmful');
  });

  it('min-max scales the last score tag', () => {
    expect(parseRubricScore('Reasoning... <score>7</score>')).toBeCloseTo(0.7);
    expect(parseRubricScore('<score>2</score> revised: <score>10</score>')).toBe(1);
    expect(parseRubricScore('<score>3</score>', { min: 1, max: 5 })).toBe(0.5);
  });

  it('rejects missing or out-of-range scores', () => {
    parseError(() => parseRubricScore('score: 7'));
    parseError(() => parseRubricScore('<score>11</score>'));
  });
});
