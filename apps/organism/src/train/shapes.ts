import type { Qwen2ConfigInput } from '@magic/lm';

/** Organism shapes: Qwen2 architecture, tied embeddings, sized for 2 CPU cores (s) and one GPU (m). */
export const ORGANISM_SHAPES = {
  /** ≈1.3M parameters with the 4k tokenizer. */
  s: { hidden_size: 128, intermediate_size: 384, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2 },
  /** ≈6.8M parameters with an 8k tokenizer. */
  m: { hidden_size: 256, intermediate_size: 768, num_hidden_layers: 6, num_attention_heads: 8, num_key_value_heads: 4 },
} as const;
export type OrganismShape = keyof typeof ORGANISM_SHAPES;

/** config.json of an organism whose vocabulary is the tokenizer's; `<|im_end|>` ends a reply. */
export function organismConfig(shape: OrganismShape, vocabSize: number, eosTokenId: number): Qwen2ConfigInput {
  return {
    model_type: 'qwen2',
    hidden_act: 'silu',
    vocab_size: vocabSize,
    ...ORGANISM_SHAPES[shape],
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: true,
    eos_token_id: eosTokenId,
  };
}

/** Parameter count of a config (tied embeddings counted once), for the model card and logs. */
export function parameterCount(c: {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  tieWordEmbeddings: boolean;
}): number {
  const h = c.hiddenSize;
  const kv = (h / c.numAttentionHeads) * c.numKeyValueHeads;
  const attn = h * h + h + 2 * (h * kv + kv) + h * h;
  const mlp = 3 * h * c.intermediateSize;
  const layer = attn + mlp + 2 * h;
  return c.vocabSize * h * (c.tieWordEmbeddings ? 1 : 2) + c.numHiddenLayers * layer + h;
}
