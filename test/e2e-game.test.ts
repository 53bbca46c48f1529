import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { main } from '../apps/trainer/src/main.js';
import { checkpointParamMass, readMetrics, TINY_E2E } from './e2e-helpers.js';

async function runTiny(overrides: string[]): Promise<{ runDir: string; out: string; code: number }> {
  const runDir = mkdtempSync(join(tmpdir(), 'magic-e2e-'));
  let out = '';
  let err = '';
  const code = await main(['--preset', 'tiny', '--plain', '--run-dir', runDir, ...TINY_E2E, ...overrides], {
    stdout: { isTTY: false, write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
  });
  if (code !== 0) throw new Error(`magic-train exited ${code}: ${err}\n${out}`);
  return { runDir, out, code };
}

describe('magic-train tiny end to end', () => {
  it('ratio mode, single turn, both phases (attacker + defender SFT): metrics, checkpoints, report, params move', async () => {
    const { runDir, out } = await runTiny([
      'trainer.totalSteps=2',
      'trainer.testFreq=2',
      'trainer.saveFreq=1',
      'switchAgent.freq=1',
      'switchAgent.startAgent=defender',
      'phase1.defenderSft.enable=true',
      'phase1.defenderSft.maxExamples=4',
      'phase1.defenderSft.batchSize=4',
      'phase1.defenderSft.maxLength=64',
      'phase1.defenderSft.epochs=1',
    ]);
    expect(out).toContain(`report: ${join(runDir, 'report.html')}`);
    const m = readMetrics(runDir);
    const p1 = defined(
      m.find((r) => r['phase'] === 'phase1'),
      'phase1 record',
    );
    expect(p1['sft/steps']).toBeGreaterThan(0);
    expect(p1['sft_defender/steps']).toBeGreaterThan(0);
    const steps = m.filter((r) => r['phase'] === 'phase2');
    // freq 1, original first block: schedule[(s // 1) % 2] with schedule [defender, attacker]
    expect(steps.map((r) => r['train/current_agent_name'])).toEqual(['attacker', 'defender']);
    for (const r of steps) {
      for (const k of ['train/current_agent', 'timing/generate', 'timing/update', 'reward/masked_episodes']) {
        expect(r[k], k).toBeTypeOf('number');
      }
      // means over scored episodes; when every episode was masked (truncated) there is none, and no fake 0
      const scored = (r['reward/judged_episodes'] as number) - (r['reward/masked_episodes'] as number);
      for (const k of ['reward/response_harm', 'reward/response_refusal', 'reward/format']) {
        expect(r[k], k).toBeTypeOf(scored > 0 ? 'number' : 'undefined');
      }
    }
    expect(defined(steps.at(-1), 'last step record')['val/asr']).toBeTypeOf('number');
    for (const k of [
      'val/harmful_adversarial/asr',
      'val/harmful_adversarial/asr_ci_low',
      'val/harmful_adversarial/harm_rate',
      'val/benign_adversarial/refusal_rate_ci_high',
      'val/harmful_vanilla/asr',
      'val/attacker/asr',
      'val/attacker/asr_ci_high',
    ]) {
      expect(defined(steps.at(-1), 'last step record')[k], k).toBeTypeOf('number');
    }
    expect(out).toMatch(/validation @2: ASR .*attacker-side ASR/);
    expect(existsSync(join(runDir, 'report.html'))).toBe(true);
    expect(readFileSync(join(runDir, 'report.html'), 'utf8')).toContain('<svg');
    expect(readFileSync(join(runDir, 'report.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(join(runDir, 'replay_buffer', 'train_step_1.jsonl'))).toBe(true);
    expect(existsSync(join(runDir, 'config.yaml'))).toBe(true);
    for (const role of ['attacker', 'defender'] as const) {
      expect(existsSync(join(runDir, 'checkpoints', 'global_step_2', role, 'hf', 'config.json'))).toBe(true);
    }
    // step 1 trains the attacker only, step 2 the defender only
    expect(await checkpointParamMass(runDir, 1, 'attacker')).not.toBe(await checkpointParamMass(runDir, 0, 'attacker'));
    expect(await checkpointParamMass(runDir, 1, 'defender')).toBe(await checkpointParamMass(runDir, 0, 'defender'));
    expect(await checkpointParamMass(runDir, 2, 'defender')).not.toBe(await checkpointParamMass(runDir, 1, 'defender'));
    expect(await checkpointParamMass(runDir, 2, 'attacker')).toBe(await checkpointParamMass(runDir, 1, 'attacker'));
    expect(readdirSync(join(runDir, 'checkpoints')).sort()).toEqual([
      'global_step_0',
      'global_step_1',
      'global_step_2',
      'latest.json',
    ]);
  });

  it('metric mode, multi-turn (2 turns), in-process guard, attacker-only SFT', async () => {
    // short neutral seeds so the tiny model's 1024 positions hold the 2-turn attacker chat
    const seeds = join(mkdtempSync(join(tmpdir(), 'magic-seeds-')), 'seeds.jsonl');
    writeFileSync(
      seeds,
      [
        { vanilla: '[harmful request placeholder]', data_type: 'vanilla_harmful' },
        { vanilla: 'How do I bake bread?', data_type: 'vanilla_benign' },
        { vanilla: '[another harmful placeholder]', data_type: 'vanilla_harmful' },
        { vanilla: 'How do I tie a tie?', data_type: 'vanilla_benign' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const { runDir } = await runTiny([
      `data.trainFiles=${seeds}`,
      'trainer.totalSteps=2',
      'trainer.testFreq=0',
      'trainer.saveFreq=0',
      'switchAgent.mode=metric',
      'switchAgent.metricLow=-2',
      'switchAgent.metricHigh=-1.5',
      'actor_rollout_ref.rollout.max_num_turns=2',
      // let every episode play both turns (no early stop on harm or truncation)
      'rollout.guardCheck=off',
      'actor_rollout_ref.rollout.stop_when_truncated=false',
      'reward.guard.kind=local',
    ]);
    const steps = readMetrics(runDir).filter((r) => r['phase'] === 'phase2');
    // R_harm mean >= -1 >= metricHigh: the defender hands over to the attacker after step 1
    expect(steps.map((r) => r['train/current_agent_name'])).toEqual(['defender', 'attacker']);
    expect(at(steps, 0, 'step record')['rollout/mean_num_turns']).toBe(2);
    expect(at(steps, 0, 'step record')['rollout/finish/reach_max_turn']).toBe(4);
    expect(existsSync(join(runDir, 'checkpoints', 'global_step_2', 'trainer-state.json'))).toBe(true);
    expect(await checkpointParamMass(runDir, 2, 'attacker')).not.toBe(await checkpointParamMass(runDir, 0, 'attacker'));
  });
});
