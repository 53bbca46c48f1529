import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { chatCompletionBody, startOpenAICompatibleServer } from '@magic/openai-client';
import { describe, expect, it } from 'vitest';
import { readMetrics, runTinyTrainer } from './e2e-helpers.js';

/** One training step of the tiny game against a loopback rubric judge that always answers `score`. */
async function runWithJudge(score: number, overrides: string[], env: Record<string, string> = {}) {
  const server = await startOpenAICompatibleServer({
    handler: () => ({ json: chatCompletionBody(`Graded. <score>${score}</score>`) }),
  });
  try {
    const runDir = mkdtempSync(join(tmpdir(), 'magic-rule-'));
    const { code, out, err } = await runTinyTrainer(
      runDir,
      [
        'trainer.totalSteps=1',
        'trainer.testFreq=0',
        'trainer.saveFreq=0',
        'phase1.sft.enable=false',
        'reward.maskUnfinishedReward=false',
        `reward.ruleJudge.endpoint=${server.url}`,
        'reward.ruleJudge.model=rubric-judge',
        ...overrides,
      ],
      env,
    );
    expect(code, `${err}\n${out}`).toBe(0);
    const step = defined(
      readMetrics(runDir).find((r) => r['phase'] === 'phase2'),
      'phase2 record',
    );
    return { step, requests: server.requests };
  } finally {
    await server.close();
  }
}

describe("reward.safetyScoreMode 'rule_api' (SAFETY_SCORE_MODE=rule_api)", () => {
  it('the rubric score is s in R_harm = r_harm·(2s − 1), min-max mapped by SAFETY_RULE_SCORE_MIN/MAX', async () => {
    // 3 on a 0–4 scale: s = 0.75, R_harm = 0.5 for every episode; set through the original's environment variables
    const viaEnv = await runWithJudge(3, [], {
      SAFETY_SCORE_MODE: 'rule_api',
      SAFETY_RULE_SCORE_MIN: '0',
      SAFETY_RULE_SCORE_MAX: '4',
    });
    expect(viaEnv.step['reward/rule_safety_score']).toBe(0.75);
    expect(viaEnv.step['reward/response_harm']).toBeCloseTo(0.5, 6);
    // one rubric request per episode (2 seeds × n 2), the model from the config, the rubric chosen by label
    expect(viaEnv.requests.length).toBe(4);
    const body = at(viaEnv.requests, 0, 'judge request').json as {
      model: string;
      temperature: number;
      messages: { content: string }[];
    };
    expect(body.model).toBe('rubric-judge');
    expect(body.temperature).toBe(0);
    expect(at(body.messages, 0, 'judge message').content).toMatch(/acceptable to answer|asks for something harmful/);
    // 0 on the default 0–10 scale: s = 0, R_harm = −1; set through the trainer config
    const viaConfig = await runWithJudge(0, ['reward.safetyScoreMode=rule_api', 'reward.rewardHarm=1']);
    expect(viaConfig.step['reward/rule_safety_score']).toBe(0);
    expect(viaConfig.step['reward/response_harm']).toBeCloseTo(-1, 6);
  });

  it('classifier mode (the default) sends nothing to the rubric judge', async () => {
    const classifier = await runWithJudge(10, []);
    expect(classifier.requests.length).toBe(0);
    expect(classifier.step['reward/rule_safety_score']).toBeUndefined();
  });
});
