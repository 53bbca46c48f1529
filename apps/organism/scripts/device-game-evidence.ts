// The evidence tables (magic-organism evidence's evidence.md/json) from a device-game.sh call's unpacked
// evidence.tar.gz: the start model, a co-evolved defender and its fixed-attacker twin, by run name.
//   npx tsx apps/organism/scripts/device-game-evidence.ts DIR START AFTER FIXED OUT_DIR
//   e.g. DIR start magic-lr5e-4 fixed-attacker-lr5e-4 runs/evidence-organism-m-lr5e-4
import { readDeviceMeasurements } from '../src/evidence/device-evidence.js';
import { buildEvidence } from '../src/evidence/evidence.js';
import { writeEvidenceFiles } from '../src/evidence/run-evidence.js';

const [dir, start, after, fixed, out] = process.argv.slice(2);
if (!dir || !start || !after || !fixed || !out)
  throw new Error('usage: device-game-evidence.ts DIR START AFTER FIXED OUT');
const evidence = buildEvidence(
  {
    before: readDeviceMeasurements(dir, start, start),
    after: readDeviceMeasurements(dir, after, after),
    fixedAttacker: readDeviceMeasurements(dir, fixed, fixed),
  },
  { device: 'webgpu', source: 'apps/organism/scripts/device-game.sh', decoding: 'greedy', guard: 'local' },
);
console.log((await writeEvidenceFiles(out, evidence)).join('\n'));
