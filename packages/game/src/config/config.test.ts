import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrpoConfigSchema } from '@magic/grpo';
import { rewardConfig } from '@magic/judges';
import { PRESETS } from '@magic/lm';
import { RolloutConfigSchema } from '@magic/rollout';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { loadConfig, parseOverride } from './load.js';

function catchError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (ConfigError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults follow the original script', () => {
    expect(loadConfig({}).grpo.gradientCheckpointing).toBe(false);
    const c = loadConfig();
    expect(c.reward.rewardRefusal).toBe(0.5);
    expect(c.reward.rewardLabel).toBe(0);
    expect(c.reward.useQSafeLabelForRefusal).toBe(true);
    expect(c.switchAgent).toMatchObject({ mode: 'ratio', freq: 15, startAgent: 'defender', firstBlock: 'original' });
    expect(c.trainer).toMatchObject({ totalSteps: 300, testFreq: 15, saveFreq: 15 });
    expect(c.grpo.lr).toBe(1e-6);
  });

  it('accepts the original key names as dotted overrides', () => {
    const c = loadConfig({
      overrides: [
        'data.max_prompt_length=512',
        'data.max_response_length=256',
        'actor_rollout_ref.rollout.max_num_turns=3',
        'actor_rollout_ref.rollout.stop_when_truncated=false',
        'algorithm.switch_agent.freq=5',
        'algorithm.switch_agent.mode=metric',
        'algorithm.switch_agent.train_roles=[defender]',
        'algorithm.switch_agent.model_paths=[/m/attacker-sft,/m/defender-base]',
        'algorithm.switch_agent.metric_low=0.7',
        'algorithm.switch_agent.update_ratio.attacker=2',
        'reward_model.format_reward_roles=[attacker,defender]',
        'actor_rollout_ref.model.enable_gradient_checkpointing=true',
      ],
    });
    expect(c.grpo.gradientCheckpointing).toBe(true);
    expect(c.rollout).toMatchObject({
      maxPromptLength: 512,
      maxResponseLength: 256,
      maxNumTurns: 3,
      stopWhenTruncated: false,
    });
    expect(c.switchAgent).toMatchObject({ freq: 5, mode: 'metric', trainRoles: ['defender'], metricLow: 0.7 });
    expect(c.switchAgent.updateRatio).toEqual({ attacker: 2, defender: 1 });
    expect(c.model.attacker.path).toBe('/m/attacker-sft');
    expect(c.model.defender.path).toBe('/m/defender-base');
    expect(c.reward.formatRewardRoles).toEqual(['attacker', 'defender']);
  });

  it('accepts the original nested YAML layout and camelCase YAML, later layers winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'game-config-'));
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, 'actor_rollout_ref:\n  rollout:\n    max_num_turns: 3\n    n: 8\ntrainer:\n  totalSteps: 20\n');
    writeFileSync(b, 'rollout:\n  n: 2\n');
    const c = loadConfig({ files: [a, b], overrides: ['trainer.totalSteps=7'] });
    expect(c.rollout.maxNumTurns).toBe(3);
    expect(c.rollout.n).toBe(2);
    expect(c.trainer.totalSteps).toBe(7);
  });

  it("reads the original's environment variables", () => {
    const c = loadConfig({
      env: {
        REWARD_HARM: '2',
        REWARD_REFUSAL: '1',
        REWARD_LABEL: '0.5',
        USE_Q_SAFE_LABEL_FOR_REFUSAL: '0',
        REWARD_MODEL_USE_ANSWER_TAGS: '1',
        SAFETY_SCORE_MODE: 'rule_api',
        WILDGUARD_API_ENDPOINT: 'http://127.0.0.1:9/v1',
      },
    });
    expect(c.reward).toMatchObject({
      rewardHarm: 2,
      rewardRefusal: 1,
      rewardLabel: 0.5,
      useQSafeLabelForRefusal: false,
      useAnswerTags: true,
      safetyScoreMode: 'rule_api',
    });
    expect(c.reward.guard).toMatchObject({ kind: 'remote', endpoint: 'http://127.0.0.1:9/v1' });
  });

  it('overrides beat the environment', () => {
    const c = loadConfig({ env: { REWARD_HARM: '2' }, overrides: ['reward.rewardHarm=3'] });
    expect(c.reward.rewardHarm).toBe(3);
  });
});

describe('config errors name the key', () => {
  it('unknown key', () => {
    const e = catchError(() => loadConfig({ overrides: ['trainer.totlSteps=3'] }));
    expect(e.code).toBe('GAME_CONFIG');
    expect(e.key).toBe('trainer.totlSteps');
    expect(e.message).toContain('trainer.totlSteps');
  });

  it('unknown original key under the switch_agent prefix', () => {
    const e = catchError(() => loadConfig({ overrides: ['algorithm.switch_agent.bogus_knob=1'] }));
    expect(e.key).toBe('switchAgent.bogusKnob');
  });

  it('unknown top-level section in a YAML file names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'game-config-'));
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'nonsense:\n  x: 1\n');
    const e = catchError(() => loadConfig({ files: [f] }));
    expect(e.key).toBe('nonsense');
    expect(e.message).toContain('nonsense');
  });

  it('bad value', () => {
    const e = catchError(() => loadConfig({ overrides: ['rollout.n=zero'] }));
    expect(e.key).toBe('rollout.n');
    const e2 = catchError(() => loadConfig({ overrides: ['switchAgent.mode=sometimes'] }));
    expect(e2.key).toBe('switchAgent.mode');
  });

  it('metricLow must be below metricHigh', () => {
    const e = catchError(() => loadConfig({ overrides: ['switchAgent.metricLow=0.95', 'switchAgent.metricHigh=0.9'] }));
    expect(e.key).toBe('switchAgent.metricLow');
  });

  it('bad environment value names the variable', () => {
    const e = catchError(() => loadConfig({ env: { USE_Q_SAFE_LABEL_FOR_REFUSAL: 'maybe' } }));
    expect(e.key).toBe('USE_Q_SAFE_LABEL_FOR_REFUSAL');
    const e2 = catchError(() => loadConfig({ env: { REWARD_HARM: 'lots' } }));
    expect(e2.key).toBe('REWARD_HARM');
  });

  it('malformed override and model_paths', () => {
    expect(catchError(() => parseOverride('novalue')).key).toBe('novalue');
    expect(catchError(() => loadConfig({ overrides: ['algorithm.switch_agent.model_paths=[a]'] })).key).toBe(
      'algorithm.switch_agent.model_paths',
    );
  });

  it('missing file', () => {
    const e = catchError(() => loadConfig({ files: ['/nonexistent/config.yaml'] }));
    expect(e.source).toBe('/nonexistent/config.yaml');
  });
});

describe('sections embed their packages’ schemas', () => {
  it('rollout, grpo and reward fields have the defaults of @magic/rollout, @magic/grpo and @magic/judges', () => {
    const c = loadConfig({});
    const rollout = RolloutConfigSchema.parse({});
    for (const key of ['maxNumTurns', 'maxPromptLength', 'maxResponseLength', 'temperature', 'topP', 'topK'] as const) {
      expect(c.rollout[key], key).toBe(rollout[key]);
    }
    expect(c.rollout.guardCheck).toBe(rollout.guardCheck);
    const grpo = GrpoConfigSchema.parse({});
    expect(c.grpo.lr).toBe(grpo.lr);
    expect(c.grpo.clipRatioHigh).toBe(grpo.clipRatioHigh);
    const reward = rewardConfig();
    expect([c.reward.rewardHarm, c.reward.rewardRefusal, c.reward.rewardLabel, c.reward.formatRewardValue]).toEqual([
      reward.harm,
      reward.refusal,
      reward.label,
      reward.format,
    ]);
    expect(c.reward.onJudgeFailure).toBe(reward.onJudgeFailure);
    expect(PRESETS).toContain(c.model.attacker.preset);
  });

  it('and their validation: a value the package rejects is a ConfigError naming the trainer key', () => {
    expect(catchError(() => loadConfig({ overrides: ['reward.rewardHarm=-1'] })).key).toBe('reward.rewardHarm');
    expect(catchError(() => loadConfig({ overrides: ['rollout.maxNumTurns=0'] })).key).toBe('rollout.maxNumTurns');
    expect(catchError(() => loadConfig({ overrides: ['grpo.ppoMiniBatchSize=0'] })).key).toBe('grpo.ppoMiniBatchSize');
    expect(catchError(() => loadConfig({ overrides: ['model.defender.preset=gpt2'] })).key).toBe(
      'model.defender.preset',
    );
  });
});
