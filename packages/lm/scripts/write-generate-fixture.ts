// Records generate()'s outputs per decode strategy on a seeded tiny model (cpu and the software WebGPU adapter):
//   MAGIC_ALLOW_SOFTWARE_WEBGPU=1 npx tsx packages/lm/scripts/write-generate-fixture.ts
// writes packages/lm/fixtures/generate-strategies.json, which src/generate-strategies.test.ts compares against.
// The committed file was written by the generate() before the decoder interface (one interleaved loop).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CausalLM } from '@magic/lm';
import { initBackend, initBackendOptionsFromEnv, releaseWebGpu } from '@magic/tensor';
import { GENERATE_FIXTURE_CASES } from '../src/generate-fixture-cases.js';

const out: Record<string, unknown> = {};
for (const c of GENERATE_FIXTURE_CASES) {
  await initBackend({ ...initBackendOptionsFromEnv(process.env, c.device), device: c.device });
  const lm = await CausalLM.fromPreset('tiny', { seed: 11 });
  try {
    const got = await lm.generate(c.prompts, c.options);
    out[c.name] = got.map((g) => ({ tokenIds: g.tokenIds, logprobs: g.logprobs, finishReason: g.finishReason }));
  } finally {
    lm.dispose();
  }
}
releaseWebGpu();
writeFileSync(join(import.meta.dirname, '..', 'fixtures', 'generate-strategies.json'), `${JSON.stringify(out)}\n`);
