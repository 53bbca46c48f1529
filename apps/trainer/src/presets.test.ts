import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSwitchSchedule, ConfigError, ratioAgentForStep, type SwitchAgentConfig } from '@magic/game';
import { describe, expect, it } from 'vitest';
import { readPreset, resolveConfig } from './config.js';

const resolve = (preset: string) =>
  resolveConfig({ preset, configFiles: [], overrides: [], resume: false, help: false, plain: false }, {});

/** The role of every step 1..totalSteps under the ratio schedule. */
const rolesOf = (c: { switchAgent: SwitchAgentConfig; trainer: { totalSteps: number } }) =>
  Array.from({ length: c.trainer.totalSteps }, (_, i) => ratioAgentForStep(i + 1, c.switchAgent));

const defenderSteps = (roles: string[]) => roles.filter((r) => r === 'defender').length;

describe('fixed-attacker twins (the paper ablation)', () => {
  for (const [base, twin] of [
    ['organism-s', 'organism-s-fixed-attacker'],
    ['organism-m', 'organism-m-fixed-attacker'],
  ] as const) {
    it(`${twin}: ${base}'s defender-step count, never an attacker step, same settings otherwise`, () => {
      const b = resolve(base);
      const t = resolve(twin);
      const baseRoles = rolesOf(b);
      const twinRoles = rolesOf(t);
      expect(baseRoles).toContain('attacker');
      expect(twinRoles).not.toContain('attacker');
      expect(buildSwitchSchedule(t.switchAgent)).not.toContain('attacker');
      expect(defenderSteps(twinRoles)).toBe(defenderSteps(baseRoles));
      // validation after the last defender step in both
      expect(t.trainer.totalSteps % t.trainer.testFreq).toBe(0);
      expect(baseRoles.at(-1)).toBe('defender');
      // everything but the schedule, the step counts and the run folder is inherited
      const strip = (c: ReturnType<typeof resolve>) => ({
        ...c,
        switchAgent: { ...c.switchAgent, trainRoles: [] },
        trainer: { ...c.trainer, totalSteps: 0, testFreq: 0, saveFreq: 0, runDir: '' },
      });
      expect(strip(t)).toEqual(strip(b));
      expect(t.switchAgent.trainRoles).toEqual(['defender']);
    });
  }

  it('organism-m plays the committed organism-m defender on WebGPU and ends its last block with the defender', () => {
    const c = resolve('organism-m');
    expect(c.model.defender.path).toMatch(/apps\/organism\/models\/organism-m\/defender$/);
    expect(c.model.attacker.path).toMatch(/apps\/organism\/models\/organism-s\/attacker$/);
    expect(c.trainer.device).toBe('webgpu');
    const roles = rolesOf(c);
    expect(roles.slice(6, 9)).toEqual(Array(3).fill('attacker'));
    expect(defenderSteps(roles)).toBe(9);
  });
});

describe('preset extends', () => {
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'presets-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.yaml`), text);
    return dir;
  };

  it('merges sections key by key over the base, replaces lists and drops the extends key', () => {
    const t = readPreset('organism-s-fixed-attacker');
    const b = readPreset('organism-s');
    expect(t['extends']).toBeUndefined();
    const section = (tree: Record<string, unknown>, key: string) => tree[key] as Record<string, unknown>;
    expect(section(t, 'switchAgent')['trainRoles']).toEqual(['defender']);
    expect(section(t, 'switchAgent')['freq']).toBe(section(b, 'switchAgent')['freq']);
    expect(section(t, 'grpo')).toEqual(section(b, 'grpo'));
    expect(section(t, 'model')).toEqual(section(b, 'model'));
  });

  it('follows a chain and rejects cycles, a non-string base and a missing base, naming the file', () => {
    const dir = folder({
      a: 'trainer: { totalSteps: 5, testFreq: 5 }\nswitchAgent: { trainRoles: [attacker, defender] }\n',
      b: 'extends: a\ntrainer: { totalSteps: 7 }\n',
      c: 'extends: b\nswitchAgent: { trainRoles: [defender] }\n',
      loop1: 'extends: loop2\n',
      loop2: 'extends: loop1\n',
      bad: 'extends: [a]\n',
      orphan: 'extends: nowhere\n',
    });
    expect(readPreset('c', dir)).toEqual({
      trainer: { totalSteps: 7, testFreq: 5 },
      switchAgent: { trainRoles: ['defender'] },
    });
    expect(() => readPreset('loop1', dir)).toThrow(/preset cycle: loop1 -> loop2 -> loop1/);
    expect(() => readPreset('bad', dir)).toThrow(ConfigError);
    expect(() => readPreset('bad', dir)).toThrow(/bad\.yaml.*name of another preset|name of another preset/);
    expect(() => readPreset('orphan', dir)).toThrow(/unknown preset 'nowhere'/);
  });
});
