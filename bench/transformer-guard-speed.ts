/**
 * In-process requests/s of the transformer guard (`magic-guard train --guard transformer` output) on this machine:
 * one request at a time, and `--requests` in flight at once (batches of `--batch`), with the process CPU time per
 * request (which, unlike wall time, does not depend on how busy a shared machine is). Inputs are the guard's
 * training rows. Prints one JSON line (bench/results format).
 *   npx tsx bench/transformer-guard-speed.ts --model-dir DIR [--device wasm] [--batch 8] [--requests 256]
 */
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { at } from '@magic/core';
import { loadTrainingExamples, measureGuardSpeed, TransformerGuard } from '@magic/judges';
import { initBackend } from '@magic/tensor';

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string' },
    device: { type: 'string' },
    batch: { type: 'string' },
    requests: { type: 'string' },
  },
});
if (!values['model-dir']) throw new Error('--model-dir <dir> is required');
const device = (values.device ?? 'wasm') as 'wasm';
const info = await initBackend({ device });
const guard = await TransformerGuard.load(values['model-dir'], { maxBatchSize: Number(values.batch ?? 8) });
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rows = loadTrainingExamples(join(root, 'packages/judges/data/guard-training'));
const loadBefore = at(loadavg(), 0, '1-minute load average');
const speed = await measureGuardSpeed(guard, rows, Number(values.requests ?? 256));
console.log(
  JSON.stringify({
    workload: 'transformer-guard-in-process',
    backend: info.name,
    maxLength: guard.settings.maxLength,
    ...speed,
    loadAverage1m: [loadBefore, loadavg()[0]],
    node: process.version,
  }),
);
guard.dispose();
