import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at } from '@magic/core';
import { loadSafetensorsFile } from '@magic/tensor';
import { describe, expect, it } from 'vitest';
import { readMetrics, runTinyTrainer } from './e2e-helpers.js';

describe('magic-train tiny run with grpo.useKlLoss', () => {
  it('runs; the KL metric is > 0 once the role has been updated; checkpoints carry the frozen reference', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'magic-kl-'));
    const { code, out, err } = await runTinyTrainer(runDir, [
      'trainer.totalSteps=2',
      'trainer.testFreq=0',
      'trainer.saveFreq=2',
      // original first block with freq 3: steps 1 and 2 both train the defender
      'switchAgent.freq=3',
      'grpo.useKlLoss=true',
      'grpo.klLossCoef=0.5',
      'grpo.klLossType=mse',
      'grpo.lr=0.01',
      // tiny random models often tie every reward of a group (zero advantage): decoupled weight decay still moves
      // the weights in each update, so the KL to the frozen copy must be > 0 after one
      'grpo.weightDecay=0.5',
      'reward.maskUnfinishedReward=false',
    ]);
    expect(code, `${err}\n${out}`).toBe(0);
    const steps = readMetrics(runDir).filter((r) => r['phase'] === 'phase2');
    expect(steps.map((r) => r['train/current_agent_name'])).toEqual(['defender', 'defender']);
    // step 1 starts at the reference (KL 0 on its first mini-batch); step 2 starts from moved weights
    expect(at(steps, 0, 'step record')['actor/klLoss']).toBeTypeOf('number');
    expect(at(steps, 1, 'step record')['actor/klLoss']).toBeGreaterThan(0);
    const state = await loadSafetensorsFile(
      join(runDir, 'checkpoints', 'global_step_2', 'defender', 'train-state.safetensors'),
    );
    expect([...state.tensors.keys()].filter((k) => k.startsWith('ref.')).length).toBe(
      [...state.tensors.keys()].filter((k) => k.startsWith('param.')).length,
    );
  });
});
