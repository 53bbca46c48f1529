import { defined } from '@magic/core';
import { tfSeed } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import type { Qwen2Config } from './config.js';
import { LmCheckpointError } from './errors.js';

/** One decoder layer's parameters, in HF layout (Linear weights are [out, in]). */
export interface LayerWeights {
  inputNorm: tf.Variable;
  qWeight: tf.Variable;
  qBias: tf.Variable;
  kWeight: tf.Variable;
  kBias: tf.Variable;
  vWeight: tf.Variable;
  vBias: tf.Variable;
  oWeight: tf.Variable;
  postNorm: tf.Variable;
  gateWeight: tf.Variable;
  upWeight: tf.Variable;
  downWeight: tf.Variable;
}

export interface ModelWeights {
  embed: tf.Variable;
  layers: LayerWeights[];
  norm: tf.Variable;
  /** Absent when tie_word_embeddings: the head is `embed`. */
  lmHead?: tf.Variable;
}

const LAYER_KEYS: [keyof LayerWeights, string][] = [
  ['inputNorm', 'input_layernorm.weight'],
  ['qWeight', 'self_attn.q_proj.weight'],
  ['qBias', 'self_attn.q_proj.bias'],
  ['kWeight', 'self_attn.k_proj.weight'],
  ['kBias', 'self_attn.k_proj.bias'],
  ['vWeight', 'self_attn.v_proj.weight'],
  ['vBias', 'self_attn.v_proj.bias'],
  ['oWeight', 'self_attn.o_proj.weight'],
  ['postNorm', 'post_attention_layernorm.weight'],
  ['gateWeight', 'mlp.gate_proj.weight'],
  ['upWeight', 'mlp.up_proj.weight'],
  ['downWeight', 'mlp.down_proj.weight'],
];

/** HF tensor names and shapes of every parameter, in a fixed order. */
export function expectedTensors(c: Qwen2Config): { name: string; shape: number[] }[] {
  const h = c.hiddenSize;
  const q = c.numAttentionHeads * c.headDim;
  const kv = c.numKeyValueHeads * c.headDim;
  const shapes: Record<string, number[]> = {
    'input_layernorm.weight': [h],
    'self_attn.q_proj.weight': [q, h],
    'self_attn.q_proj.bias': [q],
    'self_attn.k_proj.weight': [kv, h],
    'self_attn.k_proj.bias': [kv],
    'self_attn.v_proj.weight': [kv, h],
    'self_attn.v_proj.bias': [kv],
    'self_attn.o_proj.weight': [h, q],
    'post_attention_layernorm.weight': [h],
    'mlp.gate_proj.weight': [c.intermediateSize, h],
    'mlp.up_proj.weight': [c.intermediateSize, h],
    'mlp.down_proj.weight': [h, c.intermediateSize],
  };
  const out = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, h] }];
  for (let i = 0; i < c.numHiddenLayers; i++) {
    for (const [, key] of LAYER_KEYS)
      out.push({ name: `model.layers.${i}.${key}`, shape: defined(shapes[key], `shape of ${key}`) });
  }
  out.push({ name: 'model.norm.weight', shape: [h] });
  if (!c.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [c.vocabSize, h] });
  return out;
}

/** Every parameter as [HF name, variable], in expectedTensors order. */
export function namedWeights(w: ModelWeights): [string, tf.Variable][] {
  const out: [string, tf.Variable][] = [['model.embed_tokens.weight', w.embed]];
  w.layers.forEach((layer, i) => {
    for (const [k, key] of LAYER_KEYS) out.push([`model.layers.${i}.${key}`, layer[k]]);
  });
  out.push(['model.norm.weight', w.norm]);
  if (w.lmHead) out.push(['lm_head.weight', w.lmHead]);
  return out;
}

export interface SourceTensor {
  shape: number[];
  data: Float32Array;
  file: string;
}

function isIgnorable(name: string, c: Qwen2Config): boolean {
  return name.endsWith('rotary_emb.inv_freq') || (c.tieWordEmbeddings && name === 'lm_head.weight');
}

/** Checks names and shapes of loaded tensors against the config; throws LmCheckpointError naming file and tensor. */
export function checkTensors(c: Qwen2Config, tensors: Map<string, SourceTensor>, dir: string): void {
  const expected = expectedTensors(c);
  const known = new Set(expected.map((e) => e.name));
  for (const [name, t] of tensors) {
    if (!known.has(name) && !isIgnorable(name, c)) throw new LmCheckpointError(t.file, name, 'unexpected tensor name');
  }
  for (const e of expected) {
    const t = tensors.get(e.name);
    if (!t) throw new LmCheckpointError(dir, e.name, 'missing tensor');
    if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      throw new LmCheckpointError(t.file, e.name, `shape [${t.shape}] does not match config [${e.shape}]`);
    }
  }
}

/** Builds trainable variables from checked tensors. */
export function weightsFromTensors(c: Qwen2Config, tensors: Map<string, SourceTensor>): ModelWeights {
  const v = (name: string): tf.Variable => {
    const t = defined(tensors.get(name), `tensor ${name}`);
    const init = tf.tensor(t.data, t.shape, 'float32');
    const variable = tf.variable(init, true);
    init.dispose();
    return variable;
  };
  const layers: LayerWeights[] = [];
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const layer = {} as Record<keyof LayerWeights, tf.Variable>;
    for (const [k, key] of LAYER_KEYS) layer[k] = v(`model.layers.${i}.${key}`);
    layers.push(layer);
  }
  return {
    embed: v('model.embed_tokens.weight'),
    layers,
    norm: v('model.norm.weight'),
    ...(c.tieWordEmbeddings ? {} : { lmHead: v('lm_head.weight') }),
  };
}

/** Random init like HF (normal(0, std) for matrices, zero biases, unit norms), deterministic in `seed`. */
export function randomWeights(c: Qwen2Config, seed: number, std = 0.02): ModelWeights {
  let s = seed;
  const variables = new Map<string, tf.Variable>();
  for (const e of expectedTensors(c)) {
    const init = e.name.endsWith('norm.weight')
      ? tf.ones(e.shape)
      : e.name.endsWith('.bias')
        ? tf.zeros(e.shape)
        : tf.randomNormal(e.shape, 0, std, 'float32', tfSeed(s++));
    variables.set(e.name, tf.variable(init, true));
    init.dispose();
  }
  const g = (name: string): tf.Variable => defined(variables.get(name), `variable ${name}`);
  const layers: LayerWeights[] = [];
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const layer = {} as Record<keyof LayerWeights, tf.Variable>;
    for (const [k, key] of LAYER_KEYS) layer[k] = g(`model.layers.${i}.${key}`);
    layers.push(layer);
  }
  return {
    embed: g('model.embed_tokens.weight'),
    layers,
    norm: g('model.norm.weight'),
    ...(c.tieWordEmbeddings ? {} : { lmHead: g('lm_head.weight') }),
  };
}
