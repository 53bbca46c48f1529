// A tiny random checkpoint (HF layout) for trying magic-eval / magic-serve: npx tsx apps/eval/scripts/make-tiny-checkpoint.ts DIR
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: make-tiny-checkpoint.ts DIR [SEED]\n');
  process.exit(2);
}
await initBackend({ device: 'cpu' });
const lm = await CausalLM.fromPreset('tiny', { seed: Number(process.argv[3] ?? 0) });
await lm.save(dir);
lm.dispose();
process.stdout.write(`tiny checkpoint written to ${dir}\n`);
