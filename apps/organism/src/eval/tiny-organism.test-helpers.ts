// A tiny random Qwen2 model saved with the committed organism tokenizer (data/tokenizer-s), for eval tests.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configToJson, expectedTensors, parseQwen2Config, Tokenizer, writeCheckpointTensors } from '@magic/lm';
import * as tf from '@tensorflow/tfjs-core';

export const TOKENIZER_S = join(import.meta.dirname, '..', '..', 'data', 'tokenizer-s');

/** Writes config.json, model.safetensors and the tokenizer files of a random 2-layer, 32-wide model into `dir`. */
export async function writeTinyOrganism(dir: string, seed = 1): Promise<void> {
  const tokenizer = await Tokenizer.fromDir(TOKENIZER_S);
  const config = parseQwen2Config(
    {
      model_type: 'qwen2',
      vocab_size: 4096,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      max_position_embeddings: 512,
      rope_theta: 10000,
      tie_word_embeddings: true,
      eos_token_id: tokenizer.eosTokenIds[0],
    },
    'tiny-organism',
  );
  const named = expectedTensors(config).map((e, i): [string, tf.Variable] => {
    const init = e.name.endsWith('norm.weight')
      ? tf.ones(e.shape)
      : tf.randomNormal(e.shape, 0, e.name.endsWith('.bias') ? 0 : 0.5, 'float32', seed * 1000 + i + 1);
    const v = tf.variable(init);
    init.dispose();
    return [e.name, v];
  });
  await writeCheckpointTensors(dir, named);
  for (const [, v] of named) v.dispose();
  await writeFile(join(dir, 'config.json'), JSON.stringify(configToJson(config), null, 2));
  await tokenizer.save(dir);
}
