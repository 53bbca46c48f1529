import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { at } from '@magic/core';
import {
  ratioAgentForStep,
  resolveValidation,
  shippedValidationRecords,
  validationSampling,
  valMaxNewTokens,
} from '@magic/game';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './args.js';
import { listPresets, repoRoot, resolveConfig } from './config.js';

describe('magic-train arguments', () => {
  it('collects --set and bare key=value overrides in order, plus flags', () => {
    const a = parseCliArgs([
      '--preset',
      'tiny',
      '--config',
      'a.yaml',
      '--set',
      'trainer.totalSteps=3',
      'algorithm.switch_agent.freq=2',
      '--device',
      'cpu',
      '--run-dir',
      '/tmp/r',
      '--resume',
    ]);
    expect(a).toMatchObject({
      preset: 'tiny',
      configFiles: ['a.yaml'],
      overrides: ['trainer.totalSteps=3', 'algorithm.switch_agent.freq=2'],
      device: 'cpu',
      runDir: '/tmp/r',
      resume: true,
    });
  });

  it('rejects unknown flags and positionals without =', () => {
    expect(() => parseCliArgs(['--bogus'])).toThrow(/bogus/);
    expect(() => parseCliArgs(['trainer.totalSteps'])).toThrow(/key=value/);
  });
});

describe('presets', () => {
  it('ships tiny, gpu-small, the organism presets, qwen2.5-0.5b and qwen2.5-7b, and each one validates', () => {
    expect(listPresets()).toEqual([
      'gpu-small',
      'organism-m',
      'organism-m-fixed-attacker',
      'organism-s',
      'organism-s-fixed-attacker',
      'qwen2.5-0.5b',
      'qwen2.5-7b',
      'tiny',
    ]);
    for (const preset of listPresets()) {
      const c = resolveConfig({ preset, configFiles: [], overrides: [], resume: false, help: false, plain: false }, {});
      expect(c.trainer.totalSteps).toBeGreaterThan(0);
    }
  });

  it('the 7b preset carries the paper hyper-parameters; env and --device override', () => {
    const c = resolveConfig(
      { preset: 'qwen2.5-7b', configFiles: [], overrides: [], device: 'cpu', resume: false, help: false, plain: false },
      { WILDGUARD_API_ENDPOINT: 'http://127.0.0.1:1/v1' },
    );
    expect(c.model.defender.preset).toBe('qwen2.5-7b');
    expect(c.grpo).toMatchObject({
      lr: 1e-6,
      clipRatioLow: 0.2,
      clipRatioHigh: 0.2,
      useKlLoss: false,
      entropyCoeff: 0,
      gradientCheckpointing: true,
    });
    expect(c.data.trainBatchSize).toBe(64);
    expect(c.rollout.n).toBe(4);
    expect(c.trainer).toMatchObject({ totalSteps: 300, testFreq: 15, saveFreq: 15, device: 'cpu' });
    expect(c.reward.guard).toMatchObject({ kind: 'remote', endpoint: 'http://127.0.0.1:1/v1' });
  });

  it('every preset validates on separate held-out sets of at least 100 items, the attacker side included', async () => {
    for (const preset of listPresets()) {
      const c = resolveConfig({ preset, configFiles: [], overrides: [], resume: false, help: false, plain: false }, {});
      expect(c.trainer.testFreq, preset).toBeGreaterThan(0);
      expect(c.validation, preset).toMatchObject({ mode: 'separate', attackerSide: true });
      expect(c.validation.setSize, preset).toBeGreaterThanOrEqual(100);
      const v = await resolveValidation(c);
      expect(
        v.sets.every((s) => s.items.length > 0),
        preset,
      ).toBe(true);
      expect(v.attackerSeeds.length, preset).toBeGreaterThan(0);
    }
  });

  it("the 7b preset's validation resolves: three sets of 100 from the pool's val split, greedy, 2048-token answers", async () => {
    const c = resolveConfig(
      { preset: 'qwen2.5-7b', configFiles: [], overrides: [], resume: false, help: false, plain: false },
      {},
    );
    const v = await resolveValidation(c);
    const val = shippedValidationRecords();
    expect(v.sets.map((s) => s.name)).toEqual(['harmful_adversarial', 'benign_adversarial', 'harmful_vanilla']);
    for (const s of v.sets.slice(0, 2)) {
      expect(s.items).toHaveLength(Math.min(100, val.filter((r) => r.dataType === s.dataType).length));
      expect(new Set(s.items.map((i) => i.strategy)).size).toBe(20);
    }
    const harmfulSeeds = new Set(val.filter((r) => r.dataType === 'vanilla_harmful').map((r) => r.vanilla));
    expect(at(v.sets, 2, 'v.sets').items).toHaveLength(Math.min(100, harmfulSeeds.size));
    expect(validationSampling.temperature).toBe(0);
    expect(valMaxNewTokens(c)).toBe(2048);
    expect(c.trainer.testFreq).toBe(15);
  });

  // organism-m pairs its defender with the committed organism-s attacker (the m attacker is not committed: size)
  it.each([
    ['organism-s', 'organism-s/defender', 'organism-s/attacker'],
    ['organism-m', 'organism-m/defender', 'organism-s/attacker'],
  ])('%s runs committed organism weights and validates last at the end of a defender block', (preset, d, a) => {
    const args = { preset, configFiles: [], overrides: [], resume: false, help: false, plain: false };
    const c = resolveConfig(args, {});
    const models = join(repoRoot(), 'apps', 'organism', 'models');
    expect(c.model.defender.path).toBe(join(models, d));
    expect(c.model.attacker.path).toBe(join(models, a));
    for (const dir of [c.model.defender.path, c.model.attacker.path])
      expect(existsSync(join(dir as string, 'model.safetensors')), dir).toBe(true);
    expect(c.phase1.sft.enable || c.phase1.defenderSft.enable).toBe(false);
    const last = c.trainer.totalSteps;
    expect(last % c.trainer.testFreq).toBe(0);
    const roles = Array.from({ length: last + 1 }, (_, i) => ratioAgentForStep(i + 1, c.switchAgent));
    expect(roles.slice(0, last)).toContain('attacker');
    // the run ends with defender steps after the attacker's block: its last validation ends a defender block
    expect(roles[last - 1]).toBe('defender');
    expect(roles.lastIndexOf('attacker', last - 1)).toBeGreaterThan(0);
    expect(roles.slice(roles.lastIndexOf('attacker', last - 1) + 1, last).every((r) => r === 'defender')).toBe(true);
    // balanced defender batches and the attacker side measured at the attacker block's edges (docs/organism.md)
    expect(c.data.benignShare).toBe(0.5);
    expect(c.data.trainBatchSize % 2).toBe(0);
    expect(c.rollout.attackerDecoding).toBe('sample-shared');
    expect(c.validation.attackerBlockEdges).toBe(true);
    // a path given on the command line or in a --config file is kept as given
    const own = resolveConfig({ ...args, overrides: ['model.defender.path=some/dir'] }, {});
    expect(own.model.defender.path).toBe('some/dir');
  });

  it('an unknown preset is an error naming it', () => {
    expect(() =>
      resolveConfig({ preset: 'nope', configFiles: [], overrides: [], resume: false, help: false, plain: false }, {}),
    ).toThrow(/unknown preset 'nope'/);
  });
});
