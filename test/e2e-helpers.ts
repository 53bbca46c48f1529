import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSafetensorsFile } from '@magic/tensor';
import { main } from '../apps/trainer/src/main.js';

export type MetricsLine = Record<string, number | string>;

export function readMetrics(runDir: string): MetricsLine[] {
  const file = join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as MetricsLine);
}

/** Metrics without wall-clock fields (timings, throughput), for run-to-run comparison. */
export function withoutTimings(lines: MetricsLine[]): MetricsLine[] {
  return lines.map((r) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('timing/') && !k.startsWith('perf/'))),
  );
}

/** Sum of |w| over all trainable tensors saved for `role` in a checkpoint. */
export async function checkpointParamMass(
  runDir: string,
  step: number,
  role: 'attacker' | 'defender',
): Promise<number> {
  const file = join(runDir, 'checkpoints', `global_step_${step}`, role, 'train-state.safetensors');
  const st = await loadSafetensorsFile(file);
  let sum = 0;
  for (const [name, t] of st.tensors) {
    if (!name.startsWith('param.')) continue;
    for (const v of t.data) sum += Math.abs(v);
  }
  return sum;
}

/** Tiny-run overrides shared by the e2e tests: smallest batches and lengths that still play the game. */
export const TINY_E2E = [
  'data.trainBatchSize=2',
  'validation.setSize=2',
  'rollout.n=2',
  'rollout.maxResponseLength=6',
  'rollout.valMaxResponseLength=4',
  'rollout.maxPromptLength=1024',
  'phase1.sft.maxExamples=4',
  'phase1.sft.batchSize=4',
  'phase1.sft.maxLength=128',
  'trainer.device=wasm',
  'trainer.maxCheckpoints=0',
];

/** `magic-train --preset tiny --plain --run-dir DIR` with TINY_E2E and `overrides`, in process; its exit code and output. */
export async function runTinyTrainer(
  runDir: string,
  overrides: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['--preset', 'tiny', '--plain', '--run-dir', runDir, ...TINY_E2E, ...overrides], {
    stdout: { isTTY: false, write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
  });
  return { code, out, err };
}
