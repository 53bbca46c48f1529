import type { Qwen2ConfigInput } from './config.js';

export const PRESETS = ['tiny', 'qwen2.5-0.5b', 'qwen2.5-1.5b', 'qwen2.5-7b'] as const;
export type Preset = (typeof PRESETS)[number];

const QWEN_COMMON = {
  model_type: 'qwen2',
  hidden_act: 'silu',
  max_position_embeddings: 32768,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000,
  vocab_size: 151936,
  bos_token_id: 151643,
  eos_token_id: 151645,
  use_sliding_window: false,
} as const;

/** config.json contents of each preset (Qwen2.5-*-Instruct shapes; tiny = 512-token vocab, 2 layers). */
export const PRESET_CONFIGS: Record<Preset, Qwen2ConfigInput> = {
  tiny: {
    model_type: 'qwen2',
    hidden_act: 'silu',
    vocab_size: 512,
    hidden_size: 64,
    intermediate_size: 128,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 1024,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: true,
    bos_token_id: 509,
    eos_token_id: 511,
  },
  'qwen2.5-0.5b': {
    ...QWEN_COMMON,
    hidden_size: 896,
    intermediate_size: 4864,
    num_hidden_layers: 24,
    num_attention_heads: 14,
    num_key_value_heads: 2,
    tie_word_embeddings: true,
  },
  'qwen2.5-1.5b': {
    ...QWEN_COMMON,
    hidden_size: 1536,
    intermediate_size: 8960,
    num_hidden_layers: 28,
    num_attention_heads: 12,
    num_key_value_heads: 2,
    tie_word_embeddings: true,
  },
  'qwen2.5-7b': {
    ...QWEN_COMMON,
    vocab_size: 152064,
    hidden_size: 3584,
    intermediate_size: 18944,
    num_hidden_layers: 28,
    num_attention_heads: 28,
    num_key_value_heads: 4,
    tie_word_embeddings: false,
  },
};
