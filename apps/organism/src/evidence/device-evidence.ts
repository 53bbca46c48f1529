import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EvidenceError } from '../errors.js';
import { readOrganismEval } from '../eval/eval-report.js';
import type { ModelMeasurements } from './evidence.js';
import { readRougeByItem, readSafetyRun } from './run-evidence.js';

/**
 * One model's measurements from the folder `scripts/device-game.sh` brings back (evidence.tar.gz unpacked), where
 * `name` is a run's name there (`start`, `magic`, `fixed-attacker`, `magic-lr5e-4`, ...): the same files that
 * `magic-organism evidence` writes itself, so a GPU call's games and evaluations feed the same tables and tests.
 */
export function readDeviceMeasurements(dir: string, name: string, label?: string): ModelMeasurements {
  const file = (f: string) => {
    const path = join(dir, f);
    if (!existsSync(path)) throw new EvidenceError(path, `missing: device-game.sh writes it for run '${name}'`);
    return path;
  };
  const organism = readOrganismEval(file(`eval-${name}.json`));
  return {
    dir: organism.model.dir,
    ...(label === undefined ? {} : { label }),
    rules: readSafetyRun(file(join(`magic-eval-${name}-rules`, 'results.json'))),
    guard: readSafetyRun(file(join(`magic-eval-${name}-local`, 'results.json'))),
    organism,
    rougeByItem: readRougeByItem(file(`answers-${name}.jsonl`)),
  };
}
