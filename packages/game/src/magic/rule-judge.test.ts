import { at, defined } from '@magic/core';
import { chatCompletionBody, startOpenAICompatibleServer, type TestReply } from '@magic/openai-client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { openRuleJudge } from './rule-judge.js';

/** Scores one exchange against a loopback judge; returns the score (or the error) and the requests it saw. */
async function scoreWith(
  overrides: string[],
  reply: (i: number) => TestReply = () => ({ json: chatCompletionBody('<score>5</score>') }),
) {
  const server = await startOpenAICompatibleServer({ handler: (_r, i) => reply(i) });
  try {
    const config = loadConfig({
      overrides: ['reward.safetyScoreMode=rule_api', `reward.ruleJudge.endpoint=${server.url}`, ...overrides],
    });
    const judge = defined(openRuleJudge(config), 'openRuleJudge(config)');
    const result = await judge.score('neutral question', 'neutral reply', 'safe').catch((e: unknown) => e);
    return { result, requests: server.requests };
  } finally {
    await server.close();
  }
}

const bodyOf = (r: { json: unknown }) => r.json as { temperature: number; max_tokens?: number; model: string };

describe('reward.ruleJudge.* options change the rubric judge request', () => {
  it('reward.ruleJudge.temperature changes the request body', async () => {
    expect(bodyOf(at((await scoreWith([])).requests, 0, 'judge requests')).temperature).toBe(0);
    expect(
      bodyOf(at((await scoreWith(['reward.ruleJudge.temperature=0.7'])).requests, 0, 'judge requests')).temperature,
    ).toBe(0.7);
  });

  it('reward.ruleJudge.maxTokens changes the request body', async () => {
    const a = bodyOf(at((await scoreWith([])).requests, 0, 'judge requests'));
    const b = bodyOf(at((await scoreWith(['reward.ruleJudge.maxTokens=77'])).requests, 0, 'judge requests'));
    expect(JSON.stringify(b)).toContain('77');
    expect(b).not.toEqual(a);
  });

  it('reward.ruleJudge.apiKey is sent as the bearer token', async () => {
    const { requests } = await scoreWith(['reward.ruleJudge.apiKey=sk-test-rubric']);
    expect(at(requests, 0, 'requests').headers['authorization']).toBe('Bearer sk-test-rubric');
  });

  it('reward.ruleJudge.maxRetries changes how often a failing judge is called', async () => {
    const down = () => ({ status: 503, text: 'down' });
    expect((await scoreWith(['reward.ruleJudge.maxRetries=0'], down)).requests.length).toBe(1);
    expect((await scoreWith(['reward.ruleJudge.maxRetries=2'], down)).requests.length).toBe(3);
  });

  it('reward.ruleJudge.timeoutMs turns a slow judge into a failed call', async () => {
    const slow = () => ({ json: chatCompletionBody('<score>5</score>'), delayMs: 400 });
    expect((await scoreWith(['reward.ruleJudge.timeoutMs=5000', 'reward.ruleJudge.maxRetries=0'], slow)).result).toBe(
      0.5,
    );
    expect(
      (await scoreWith(['reward.ruleJudge.timeoutMs=50', 'reward.ruleJudge.maxRetries=0'], slow)).result,
    ).toBeInstanceOf(Error);
  });

  it('rule_api without an endpoint, or with scoreMax <= scoreMin, is a ConfigError; classifier mode opens nothing', () => {
    expect(() => openRuleJudge(loadConfig({ overrides: ['reward.safetyScoreMode=rule_api'] }))).toThrow(ConfigError);
    const inverted = loadConfig({
      overrides: [
        'reward.safetyScoreMode=rule_api',
        'reward.ruleJudge.endpoint=http://127.0.0.1:9',
        'reward.ruleJudge.scoreMax=0',
      ],
    });
    expect(() => openRuleJudge(inverted)).toThrow(/scoreMax/);
    expect(openRuleJudge(loadConfig())).toBeUndefined();
  });
});
