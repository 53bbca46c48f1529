import { defined } from '@magic/core';
import { z } from 'zod';
import { LmConfigError } from './errors.js';

/** HF Qwen2Config fields this implementation honours. Unknown extra fields are kept but not used. */
export const qwen2ConfigSchema = z
  .object({
    model_type: z.string().default('qwen2'),
    vocab_size: z.number().int().positive(),
    hidden_size: z.number().int().positive(),
    intermediate_size: z.number().int().positive(),
    num_hidden_layers: z.number().int().positive(),
    num_attention_heads: z.number().int().positive(),
    num_key_value_heads: z.number().int().positive().optional(),
    head_dim: z.number().int().positive().optional(),
    hidden_act: z.string().default('silu'),
    max_position_embeddings: z.number().int().positive().default(32768),
    rms_norm_eps: z.number().positive().default(1e-6),
    rope_theta: z.number().positive().optional(),
    rope_scaling: z.unknown().optional(),
    rope_parameters: z
      .object({ rope_theta: z.number().positive().optional(), rope_type: z.string().optional() })
      .loose()
      .nullish(),
    tie_word_embeddings: z.boolean().default(false),
    use_sliding_window: z.boolean().default(false),
    attention_dropout: z.number().default(0),
    attention_bias: z.boolean().optional(),
    bos_token_id: z.number().int().nullish(),
    eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).nullish(),
    pad_token_id: z.number().int().nullish(),
  })
  .loose();

export type Qwen2ConfigInput = z.input<typeof qwen2ConfigSchema>;

/** Resolved model shape: everything the forward pass needs. */
export interface Qwen2Config {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  maxPositionEmbeddings: number;
  rmsNormEps: number;
  ropeTheta: number;
  tieWordEmbeddings: boolean;
  bosTokenId?: number;
  eosTokenIds: number[];
  /** The raw config.json object (written back on save). */
  raw: Record<string, unknown>;
}

function unsupported(file: string, field: string, detail: string): never {
  throw new LmConfigError(file, field, `unsupported: ${detail}`);
}

function checkSupported(c: z.output<typeof qwen2ConfigSchema>, file: string): void {
  if (c.model_type !== 'qwen2') unsupported(file, 'model_type', `'${c.model_type}' (only 'qwen2')`);
  if (c.hidden_act !== 'silu') unsupported(file, 'hidden_act', `'${c.hidden_act}' (only 'silu')`);
  if (c.rope_scaling !== undefined && c.rope_scaling !== null) unsupported(file, 'rope_scaling', 'must be null');
  const ropeType = c.rope_parameters?.rope_type;
  if (ropeType !== undefined && ropeType !== 'default') unsupported(file, 'rope_parameters.rope_type', `'${ropeType}'`);
  if (c.use_sliding_window) unsupported(file, 'use_sliding_window', 'true (sliding-window attention)');
  if (c.attention_dropout !== 0) unsupported(file, 'attention_dropout', `${c.attention_dropout} (only 0)`);
  if (c.attention_bias === false) unsupported(file, 'attention_bias', 'false (Qwen2 q/k/v projections have biases)');
  const kv = c.num_key_value_heads ?? c.num_attention_heads;
  if (c.num_attention_heads % kv !== 0) {
    throw new LmConfigError(
      file,
      'num_key_value_heads',
      `${kv} does not divide num_attention_heads ${c.num_attention_heads}`,
    );
  }
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) {
    throw new LmConfigError(file, 'hidden_size', `head dim ${headDim} must be an even integer`);
  }
}

/** Validates a config.json object (HF Qwen2Config, transformers 4 or 5 layout). */
export function parseQwen2Config(json: unknown, file = 'config.json'): Qwen2Config {
  const parsed = qwen2ConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = defined(parsed.error.issues[0], 'zod issue');
    throw new LmConfigError(file, issue.path.join('.') || '(root)', issue.message);
  }
  const c = parsed.data;
  checkSupported(c, file);
  const eos = c.eos_token_id;
  return {
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numHiddenLayers: c.num_hidden_layers,
    numAttentionHeads: c.num_attention_heads,
    numKeyValueHeads: c.num_key_value_heads ?? c.num_attention_heads,
    headDim: c.head_dim ?? c.hidden_size / c.num_attention_heads,
    maxPositionEmbeddings: c.max_position_embeddings,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta: c.rope_theta ?? c.rope_parameters?.rope_theta ?? 10000,
    tieWordEmbeddings: c.tie_word_embeddings,
    ...(c.bos_token_id != null ? { bosTokenId: c.bos_token_id } : {}),
    eosTokenIds: eos == null ? [] : Array.isArray(eos) ? eos : [eos],
    raw: json as Record<string, unknown>,
  };
}

/** config.json contents for a resolved config (loadable by transformers 4.x and 5.x). */
export function configToJson(c: Qwen2Config): Record<string, unknown> {
  const { rope_parameters: _drop, ...rest } = c.raw as Record<string, unknown> & { rope_parameters?: unknown };
  return {
    ...rest,
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numHiddenLayers,
    num_attention_heads: c.numAttentionHeads,
    num_key_value_heads: c.numKeyValueHeads,
    hidden_act: 'silu',
    max_position_embeddings: c.maxPositionEmbeddings,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: null,
    tie_word_embeddings: c.tieWordEmbeddings,
    use_sliding_window: false,
    attention_dropout: 0,
    torch_dtype: 'float32',
    ...(c.bosTokenId !== undefined ? { bos_token_id: c.bosTokenId } : {}),
    ...(c.eosTokenIds.length > 0
      ? { eos_token_id: c.eosTokenIds.length === 1 ? c.eosTokenIds[0] : c.eosTokenIds }
      : {}),
  };
}
