// A small run directory for the report tests: metrics with switches, gaps (null/absent metrics) and replay
// buffers whose texts are neutral placeholders, one of them markup that must come out as text.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MARKUP = '<script>window.__injected = 1</script><img src=x onerror="window.__injected = 2">';

/** 12 phase-2 steps, 3 per block (defender, attacker, defender, attacker); validation every 4 steps. */
export function fixtureMetrics(): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [
    { step: 0, phase: 'val0', 'val/asr': 0.5, 'val/refusal_rate_benign': 0.1, 'val/compliance_rate_benign': 0.9 },
  ];
  for (let step = 1; step <= 12; step++) {
    const judged = step % 5 !== 0; // steps 5 and 10: nothing judged, so the judged metrics are null or absent
    records.push({
      step,
      phase: 'phase2',
      'train/current_agent_name': Math.floor((step - 1) / 3) % 2 === 1 ? 'attacker' : 'defender',
      'reward/format': 0.2,
      'reward/attacker_score_mean': -0.2 + step / 100,
      ...(judged
        ? {
            'reward/response_harm': 0.45 - step / 30,
            'reward/response_refusal': -0.3 + step / 20,
            'reward/defender_score_mean': 0.1 * step - 0.4,
            'reward/asr': 0.3 + 0.02 * step,
            'reward/refusal_rate_harmful': 0.5,
            'reward/refusal_rate_benign': 0.2,
          }
        : { 'reward/asr': null, 'reward/response_harm': null, 'reward/defender_score_mean': Number.NaN }),
      ...(step % 4 === 0
        ? { 'val/asr': 0.4 - step / 50, 'val/refusal_rate_benign': 0.2, 'val/compliance_rate_benign': 0.8 }
        : {}),
    });
  }
  return records;
}

function replayLine(step: number, i: number): Record<string, unknown> {
  const copies = [0, 1];
  return {
    uid: `seed-${step}-${i}`,
    question: `placeholder request ${step}.${i}`,
    groundtruth: null,
    data_type: i % 2 === 0 ? 'vanilla_harmful' : 'vanilla_benign',
    response: copies.map((c) => `placeholder reply ${step}.${i}.${c}`),
    history: copies.map((c) => [
      {
        role: 'attacker',
        turn: 0,
        content: `<think>plan ${step}.${i}.${c}</think><answer>rewrite ${step}.${i}.${c}</answer>`,
        numGenTokens: 8,
        stopReason: 'stop',
        dummy: false,
        parsedThink: `placeholder plan ${step}.${i}.${c}`,
        parsedAnswer: step === 2 && i === 0 ? MARKUP : `placeholder rewrite ${step}.${i}.${c}`,
      },
      {
        role: 'defender',
        turn: 0,
        content: `placeholder reply ${step}.${i}.${c}`,
        numGenTokens: 6,
        stopReason: 'stop',
        dummy: false,
      },
    ]),
    score: copies.map(() => (step % 5 === 0 ? null : 0.5)),
    role_scores: copies.map(() => (step % 5 === 0 ? null : { attacker: -0.5, defender: 0.5 })),
    latest_role_outputs: copies.map(() => ({ attacker: 'a', defender: 'd' })),
    finish_reason: copies.map(() => 'normal'),
    reward_components: copies.map(() => (step % 5 === 0 ? null : { harm: 1, refusal: -1, format: 0.2 })),
    guard_verdicts: copies.map(() => (step % 5 === 0 ? null : { q: 'unsafe', qa: 'safe', qaRefusal: 'yes' })),
    avg_score: step % 5 === 0 ? null : 0.5,
  };
}

/** Writes metrics.jsonl and replay_buffer/train_step_<k>.jsonl (4 seeds a step) into `runDir`. */
export function writeFixtureRun(runDir: string): Record<string, unknown>[] {
  const metrics = fixtureMetrics();
  mkdirSync(join(runDir, 'replay_buffer'), { recursive: true });
  writeFileSync(join(runDir, 'metrics.jsonl'), metrics.map((m) => `${JSON.stringify(m)}\n`).join(''));
  for (let step = 1; step <= 12; step++) {
    const lines = [0, 1, 2, 3].map((i) => JSON.stringify(replayLine(step, i)));
    writeFileSync(join(runDir, 'replay_buffer', `train_step_${step}.jsonl`), `${lines.join('\n')}\n`);
  }
  return metrics;
}
