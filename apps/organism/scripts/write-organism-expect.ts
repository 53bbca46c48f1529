// Our side of the organism check against transformers: token ids of a few chats (rendered with the model's
// chat template) and the logits our code computes for them, for check-organism-hf.py.
//   npx tsx apps/organism/scripts/write-organism-expect.ts MODEL_DIR OUT.json
import { writeFile } from 'node:fs/promises';
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';

const [modelDir, outFile] = process.argv.slice(2);
if (!modelDir || !outFile) throw new Error('usage: write-organism-expect.ts MODEL_DIR OUT.json');
await initBackend({ device: 'cpu' });
const lm = await CausalLM.fromPretrained(modelDir);
// Neutral placeholder chats: one with a generation prompt, one with a reply, of different lengths (left padding).
const chats = [
  { messages: [{ role: 'user' as const, content: 'Name three colours of the rainbow.' }], addGenerationPrompt: true },
  {
    messages: [
      { role: 'user' as const, content: 'What is the capital of France?' },
      { role: 'assistant' as const, content: 'The capital of France is Paris.' },
    ],
    addGenerationPrompt: false,
  },
];
const rows = chats.map((c) =>
  lm.tokenizer.encode(lm.tokenizer.applyChatTemplate(c.messages, { addGenerationPrompt: c.addGenerationPrompt })),
);
const t = Math.max(...rows.map((r) => r.length));
const pad = lm.tokenizer.padTokenId;
const inputIds = rows.map((r) => [...Array<number>(t - r.length).fill(pad), ...r]);
const attentionMask = rows.map((r) => [...Array<number>(t - r.length).fill(0), ...r.map(() => 1)]);
const ids = tf.tensor2d(inputIds, undefined, 'int32');
const mask = tf.tensor2d(attentionMask, undefined, 'int32');
const logits = lm.logits(ids, mask);
const expect = { chats, inputIds, attentionMask, logits: await logits.array(), tolerance: 1e-4 };
tf.dispose([ids, mask, logits]);
lm.dispose();
await writeFile(outFile, JSON.stringify(expect));
console.log(`wrote ${outFile}: ${rows.length} chats, ${t} positions, vocab ${lm.config.vocabSize}`);
