// B3 (issue 10): full phase-2 steps of the `gpu-small` trainer preset (rollout + judge + reward +
// old log-probs + advantages + update), phase 1 off, no validation/checkpoints. Reports the median
// of the warm steps (every step after the first) overall and per stage. One JSON line on stdout.
//   npx tsx bench/b3-phase2-step.ts [--device auto] [--steps 4] [--preset gpu-small] [--set k=v]...
// --from-metrics <run>/metrics.jsonl: the same line from the phase-2 steps of an existing magic-train run
// (its timing/* fields), e.g. the gpu-small run of bench/device-run.sh, without training again.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMagicGame } from '@magic/game';
import { initBackend, initBackendOptionsFromEnv } from '@magic/tensor';
import { webGpuErrorCount } from '@magic/tensor/webgpu';
import { parseCliArgs } from '../apps/trainer/src/args.js';
import { resolveConfig } from '../apps/trainer/src/config.js';
import { benchLmOptions, median, memoryReport, printResult } from './bench-common.js';

const { values } = parseArgs({
  options: {
    device: { type: 'string', default: 'auto' },
    steps: { type: 'string', default: '4' },
    preset: { type: 'string', default: 'gpu-small' },
    set: { type: 'string', multiple: true, default: [] },
    'from-metrics': { type: 'string' },
  },
});

/** The B3 line from a magic-train metrics.jsonl (phase-2 records; the first step is the warm-up). */
function fromMetrics(file: string): Record<string, unknown> {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, number | string>)
    .filter((r) => r.phase === 'phase2');
  const warm = rows.slice(1);
  if (warm.length < 1) throw new Error(`${file}: needs at least 2 phase-2 steps, found ${rows.length}`);
  const stages = [...new Set(warm.flatMap((r) => Object.keys(r).filter((k) => k.startsWith('timing/'))))].filter(
    (k) => k !== 'timing/step',
  );
  const num = (r: Record<string, number | string>, k: string) => Number(r[k] ?? 0);
  return {
    workload: 'B3-phase2-step',
    source: file,
    warmSteps: warm.length,
    medianStepSeconds: Number(median(warm.map((r) => num(r, 'timing/step'))).toFixed(3)),
    medianStageSeconds: Object.fromEntries(
      stages.map((k) => [k.slice('timing/'.length), Number(median(warm.map((r) => num(r, k))).toFixed(3))]),
    ),
    medianGeneratedTokens: median(warm.map((r) => num(r, 'perf/generated_tokens'))),
    steps: rows.map((r) => ({ step: r.step, role: r['train/current_agent_name'], seconds: num(r, 'timing/step') })),
  };
}

if (values['from-metrics']) {
  printResult(fromMetrics(values['from-metrics']));
  process.exit(0);
}
const steps = Math.max(4, Number(values.steps));
const runDir = mkdtempSync(join(tmpdir(), 'magic-b3-'));
const config = resolveConfig(
  parseCliArgs([
    '--preset',
    values.preset,
    '--device',
    values.device,
    '--run-dir',
    runDir,
    '--set',
    `trainer.totalSteps=${steps}`,
    '--set',
    'trainer.testFreq=0',
    '--set',
    'trainer.saveFreq=0',
    '--set',
    'phase1.sft.enable=false',
    ...values.set.flatMap((s) => ['--set', s]),
  ]),
  process.env,
);
const info = await initBackend({ ...initBackendOptionsFromEnv(process.env), device: config.trainer.device });
const game = await createMagicGame(config, {
  runDir,
  resume: false,
  log: (s) => console.error(s),
  lm: benchLmOptions(),
});
const records: { step: number; role: string; timings: Record<string, number>; tokens: number; seconds: number }[] = [];
let stepStart = performance.now();
game.trainer.events.on('step-end', (e) => {
  const seconds = (performance.now() - stepStart) / 1000;
  records.push({ step: e.step, role: e.role, timings: e.timings, tokens: e.generatedTokens, seconds });
  console.error(`B3 step ${e.step} (${e.role}): ${seconds.toFixed(2)} s ${JSON.stringify(e.timings)}`);
  stepStart = performance.now();
});
try {
  stepStart = performance.now();
  await game.run();
} finally {
  await game.close();
}
const warm = records.slice(1);
const stages = [...new Set(warm.flatMap((r) => Object.keys(r.timings)))];
printResult({
  workload: 'B3-phase2-step',
  device: info.adapter?.description || info.name,
  backend: game.backend,
  webGpuErrors: info.name === 'webgpu' ? webGpuErrorCount() : 0,
  preset: values.preset,
  shapes: {
    trainBatchSize: config.data.trainBatchSize,
    n: config.rollout.n,
    maxResponseLength: config.rollout.maxResponseLength,
    model: config.model.defender.preset ?? 'path',
  },
  warmSteps: warm.length,
  medianStepSeconds: Number(median(warm.map((r) => r.seconds)).toFixed(3)),
  medianStageSeconds: Object.fromEntries(
    stages.map((s) => [s, Number(median(warm.map((r) => r.timings[s] ?? 0)).toFixed(3))]),
  ),
  medianGeneratedTokens: median(warm.map((r) => r.tokens)),
  steps: records.map((r) => ({ step: r.step, role: r.role, seconds: Number(r.seconds.toFixed(3)) })),
  memory: memoryReport(),
});
rmSync(runDir, { recursive: true, force: true });
