// Saves checkpoints with OUR code for make-reference.py --check-saved, plus the logits our code computes for them:
//   npx tsx packages/lm/scripts/save-for-check.ts --out DIR
// writes DIR/<name>/ (HF folder) and DIR/<name>/expect.json for: both reference fixtures re-saved (F32),
// a trained tiny preset (after 3 SFT steps, so weights differ from the reference), and a BF16 save (tolerance 5e-2... see below).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { at } from '@magic/core';
import { CausalLM, SftTrainer } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';

const outArg = process.argv.indexOf('--out');
if (outArg < 0 || !process.argv[outArg + 1]) throw new Error('usage: save-for-check.ts --out DIR');
const out = resolve(at(process.argv, outArg + 1, 'process.argv'));
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'reference');
await initBackend({ device: 'cpu' });

const inputIds = [
  [510, 117, 115, 272, 10, 72, 292, 297, 290, 483],
  [509, 509, 509, 5, 300, 42, 7, 99, 100, 511],
];
const attentionMask = inputIds.map((r) => r.map((id, i) => (id === 509 && i < 3 ? 0 : 1)));

async function saveWithExpect(name: string, lm: CausalLM, opts: { dtype?: 'F32' | 'BF16' } = {}, tolerance = 1e-4) {
  const dir = join(out, name);
  await mkdir(dir, { recursive: true });
  await lm.save(dir, opts);
  // logits of the SAVED weights (reload, so BF16 rounding is included)
  const back = await CausalLM.fromPretrained(dir);
  const ids = tf.tensor2d(inputIds, undefined, 'int32');
  const mask = tf.tensor2d(attentionMask, undefined, 'int32');
  const logits = back.logits(ids, mask);
  const expect = { inputIds, attentionMask, logits: await logits.array(), tolerance };
  tf.dispose([ids, mask, logits]);
  back.dispose();
  await writeFile(join(dir, 'expect.json'), JSON.stringify(expect));
  console.log(`wrote ${dir}`);
}

for (const name of ['tiny-tied', 'tiny-untied']) {
  const lm = await CausalLM.fromPretrained(join(fixtures, name));
  await saveWithExpect(`ours-${name}`, lm);
  await saveWithExpect(`ours-${name}-bf16`, lm, { dtype: 'BF16' });
  lm.dispose();
}
const tiny = await CausalLM.fromPreset('tiny', { seed: 7 });
const trainer = new SftTrainer(tiny, { learningRate: 1e-3, totalSteps: 3, batchSize: 1, maxLength: 128 });
await trainer.train([
  {
    messages: [
      { role: 'user', content: 'How do I bake bread?' },
      { role: 'assistant', content: 'Mix flour and water.' },
    ],
  },
]);
await saveWithExpect('ours-tiny-sft', tiny);
trainer.dispose();
tiny.dispose();
