import { createGameEmitter } from '@magic/game';
import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';

function drive(isTTY: boolean): string {
  let out = '';
  const events = createGameEmitter();
  new Progress({ isTTY, write: (s) => (out += s) }).attach(events);
  events.emit('phase-start', { phase: 'phase2', totalSteps: 4, detail: 'alternating GRPO' });
  for (const step of [1, 2]) {
    events.emit('step-end', {
      step,
      totalSteps: 4,
      role: 'defender',
      metrics: { 'reward/asr': 0.25, 'reward/defender_score_mean': 0.5, 'perf/tokens_per_s': 100 },
      timings: { generate: 1 },
      generatedTokens: 100,
    });
  }
  events.emit('agent-switch', { step: 3, from: 'defender', to: 'attacker', reason: 'ratio schedule' });
  events.emit('phase-end', { phase: 'phase2', metrics: {}, seconds: 3 });
  return out;
}

describe('Progress', () => {
  it('plain lines without a TTY: one per step, with step, agent, reward, ASR, tokens/s, ETA', () => {
    const out = drive(false);
    expect(out).not.toContain('\r');
    const lines = out.trim().split('\n');
    expect(lines[1]).toMatch(/2?1\/4 \| defender +reward 0\.500 \| ASR 0\.25 .*100 tok\/s \| ETA/);
    expect(lines.some((l) => l.includes('switch -> attacker'))).toBe(true);
    expect(lines.at(-1)).toContain('[phase2] done');
  });

  it('warns once when recomputed log-probs drift from the sampling ones', () => {
    let out = '';
    const events = createGameEmitter();
    new Progress({ isTTY: false, write: (s) => (out += s) }).attach(events);
    for (const step of [1, 2]) {
      events.emit('step-end', {
        step,
        totalSteps: 2,
        role: 'defender',
        metrics: { 'train/logprob_max_abs_diff_vs_sampling': 0.4 },
        timings: {},
        generatedTokens: 0,
      });
    }
    expect(out.match(/warning: recomputed log-probs/g)?.length).toBe(1);
  });

  it('says which step a resumed run continues from', () => {
    let out = '';
    const events = createGameEmitter();
    new Progress({ isTTY: true, write: (s) => (out += s) }).attach(events);
    events.emit('resumed', { step: 6, dir: 'runs/x/checkpoints/global_step_6' });
    expect(out).toBe('resuming from step 6 (checkpoint runs/x/checkpoints/global_step_6)\n');
  });

  it('redraws one line on a TTY', () => {
    const out = drive(true);
    expect(out).toContain('\r\x1b[2K[phase2]');
  });
});
