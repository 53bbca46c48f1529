// Copies a trained organism (HF folder) for committing: bf16 weights (half the bytes; transformers and
// CausalLM.fromPretrained read BF16), config.json's torch_dtype set to match, tokenizer files as they are.
//   npx tsx apps/organism/scripts/export-organism.ts SRC_MODEL_DIR OUT_DIR
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSafetensorsFile, saveSafetensorsFile } from '@magic/tensor';

const [src, out] = process.argv.slice(2);
if (!src || !out) throw new Error('usage: export-organism.ts SRC_MODEL_DIR OUT_DIR');
mkdirSync(out, { recursive: true });
const file = await loadSafetensorsFile(join(src, 'model.safetensors'));
const tensors = Object.fromEntries([...file.tensors].map(([name, t]) => [name, { shape: t.shape, data: t.data }]));
await saveSafetensorsFile(join(out, 'model.safetensors'), tensors, { dtype: 'BF16', metadata: file.metadata });
const config = JSON.parse(readFileSync(join(src, 'config.json'), 'utf8')) as Record<string, unknown>;
writeFileSync(join(out, 'config.json'), `${JSON.stringify({ ...config, torch_dtype: 'bfloat16' }, null, 2)}\n`);
for (const f of ['generation_config.json', 'tokenizer.json', 'tokenizer_config.json'])
  copyFileSync(join(src, f), join(out, f));
console.log(`${src} -> ${out} (bf16, ${file.tensors.size} tensors)`);
