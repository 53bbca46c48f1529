import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadSeedSplit } from '@magic/attack-pool';
import { isRefusal } from '@magic/judges';
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
await initBackend({ device: 'wasm' });
const lm = await CausalLM.fromPretrained(process.argv[2]!);
const n = 24;
async function refusalRate(prompts: string[], show = false): Promise<number> {
  const ids = prompts.map((p) => lm.tokenizer.encode(lm.tokenizer.applyChatTemplate([{ role: 'user', content: p }], { addGenerationPrompt: true })).slice(-256));
  const out = await lm.generate(ids, { maxNewTokens: 48, temperature: 0, seed: 0 } as never);
  const texts = out.map((o) => o.text);
  if (show) for (const t of texts.slice(0, 4)) console.log('  >', JSON.stringify(t.slice(0, 160)));
  return texts.filter((t) => isRefusal(t)).length / texts.length;
}
const t0 = Date.now();
const benign = loadSeedSplit({ split: 'val', dataType: 'vanilla_benign' }).slice(0, n).map((s) => s.text);
const harmTrain = loadSeedSplit({ split: 'train', dataType: 'vanilla_harmful' }).slice(0, n).map((s) => s.text);
const harmVal = loadSeedSplit({ split: 'val', dataType: 'vanilla_harmful' }).slice(0, n).map((s) => s.text);
const pool = gunzipSync(readFileSync('packages/attack-pool/data/pool/val.jsonl.gz')).toString().trim().split('\n').map((l) => JSON.parse(l));
const adv = pool.filter((r) => r.dataType === 'vanilla_harmful').slice(0, 200).filter((_, i) => i % 8 === 0).slice(0, n).map((r) => r.adversarial);
const advB = pool.filter((r) => r.dataType === 'vanilla_benign').filter((_, i) => i % 8 === 0).slice(0, n).map((r) => r.adversarial);
console.log('benign val refusal', await refusalRate(benign, true));
console.log('harmful train refusal', await refusalRate(harmTrain));
console.log('harmful val refusal', await refusalRate(harmVal));
console.log('adv harmful refusal', await refusalRate(adv));
console.log('adv benign refusal', await refusalRate(advB));
console.log('secs', (Date.now() - t0) / 1000);
