// Compares our logits and greedy continuations with the HF fixtures on one device; prints one JSON line.
//   npx tsx packages/lm/scripts/check-reference.ts [--device webgpu] [--fixtures packages/lm/fixtures/reference]
// (GPU: node scripts/device-bundle.mjs packages/lm/scripts/check-reference.ts .bundle/lm-check-reference.mjs)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { at } from '@magic/core';
import { CausalLM } from '@magic/lm';
import { type Device, initBackend, releaseWebGpu } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? at(process.argv, i + 1, 'process.argv') : dflt;
};
const device = arg('device', 'auto') as Device;
const fixtures = resolve(arg('fixtures', join('packages', 'lm', 'fixtures', 'reference')));
interface Case {
  inputIds: number[][];
  attentionMask: number[][];
  logits: number[][][];
}
interface Greedy {
  prompts: number[][];
  newTokens: number[][];
}
const ref = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8')) as {
  models: Record<string, { dir: string; single: Case; padded: Case; greedy: { batched: Greedy } }>;
};
const info = await initBackend({ device });
const results: Record<string, unknown>[] = [];
for (const [name, m] of Object.entries(ref.models)) {
  const lm = await CausalLM.fromPretrained(join(fixtures, m.dir));
  let maxAbsDiff = 0;
  for (const c of [m.single, m.padded]) {
    const ids = tf.tensor2d(c.inputIds, undefined, 'int32');
    const mask = tf.tensor2d(c.attentionMask, undefined, 'int32');
    const logits = lm.logits(ids, mask);
    const got = (await logits.array()) as number[][][];
    tf.dispose([ids, mask, logits]);
    for (const [b, seq] of c.logits.entries()) {
      for (const [t, row] of seq.entries()) {
        if (at(c.attentionMask, b, 'c.attentionMask')[t] !== 1) continue;
        for (const [j, v] of row.entries())
          maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - at(at(at(got, b, 'got'), t, 'got[b]'), j, 'got[b][t]')));
      }
    }
  }
  const outs = await lm.generate(m.greedy.batched.prompts, { maxNewTokens: 12, temperature: 0, stopTokenIds: [511] });
  const greedyIdentical = JSON.stringify(outs.map((o) => o.tokenIds)) === JSON.stringify(m.greedy.batched.newTokens);
  results.push({ model: name, maxAbsDiff, logitsOk: maxAbsDiff <= 1e-4, greedyIdentical });
  lm.dispose();
}
const pass = results.every((r) => r.logitsOk && r.greedyIdentical);
console.log(JSON.stringify({ backend: info.name, adapter: info.adapter?.description ?? null, pass, results }));
releaseWebGpu();
process.exitCode = pass ? 0 : 1;
