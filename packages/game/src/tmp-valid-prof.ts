import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import { loadConfig, readConfigFile } from './config/index.js';
import { LmPlayer } from './magic/lm-player.js';
import { defenderValidationChat } from './magic/validation.js';
import { resolveValidation } from './magic/validation-plan.js';

const config = loadConfig({ base: readConfigFile('apps/trainer/presets/tiny.yaml') });
const b = await initBackend({ device: 'auto' });
const d = new LmPlayer('defender', await CausalLM.fromPreset('tiny', { seed: 2 }), config);
const v = await resolveValidation(config);
const items = v.sets[0]!.items.slice(0, 16);
const tok = d.generator.tokenizer;
const lens = items.map((i) => tok.encode(tok.applyChatTemplate(defenderValidationChat(i.prompt), { addGenerationPrompt: true })).length);
console.log(b.name, 'prompt lens', lens.join(','));
for (const [cap, short] of [[1, false], [24, false], [1, true], [24, true]] as const) {
  const t = performance.now();
  await d.generator.generate(items.map((i) => ({ messages: defenderValidationChat(short ? i.prompt.slice(0, 100) : i.prompt), maxNewTokens: cap })), { temperature: 0, topP: 1, topK: -1 });
  console.log('cap', cap, 'short', short, ((performance.now() - t) / 1000).toFixed(1), 's');
}
