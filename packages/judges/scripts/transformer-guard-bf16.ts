/**
 * Copies a trained transformer guard folder (`magic-guard train --guard transformer` output) with the backbone's
 * `model.safetensors` stored as BF16 (half the bytes; `CausalLM.fromPretrained` and HF transformers decode it),
 * so it fits the package's 10 MB budget with room to spare. The heads stay F32. Maintainers only:
 *   npx tsx packages/judges/scripts/transformer-guard-bf16.ts <trained dir> <out dir>
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSafetensorsFile, saveSafetensorsFile } from '@magic/tensor';

const [from, to] = process.argv.slice(2);
if (!from || !to) throw new Error('usage: transformer-guard-bf16.ts <trained dir> <out dir>');
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) {
  if (name === 'model.safetensors') {
    const file = await loadSafetensorsFile(join(from, name));
    await saveSafetensorsFile(join(to, name), Object.fromEntries(file.tensors), {
      dtype: 'BF16',
      metadata: { ...file.metadata, format: 'pt' },
    });
  } else if (name === 'config.json') {
    // HF transformers reads the stored dtype from here; our loader decodes whatever the file holds.
    const config = JSON.parse(readFileSync(join(from, name), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(to, name), `${JSON.stringify({ ...config, torch_dtype: 'bfloat16' }, null, 2)}\n`);
  } else copyFileSync(join(from, name), join(to, name));
}
