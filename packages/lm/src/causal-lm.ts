import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SafetensorsSaveDtype } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { readCheckpointTensors, readJsonFile, writeCheckpointTensors } from './checkpoint-io.js';
import { configToJson, parseQwen2Config, type Qwen2Config, type Qwen2ConfigInput } from './config.js';
import { LmInputError } from './errors.js';
import { type GenerateOptions, type GenerationOutput, generate } from './generate.js';
import { PRESET_CONFIGS, PRESETS, type Preset } from './presets.js';
import { fullLogits, hiddenStates, type TokenLogProbsOptions, tokenLogProbs } from './scoring.js';
import { Tokenizer } from './tokenizer.js';
import { checkTensors, type ModelWeights, namedWeights, randomWeights, weightsFromTensors } from './weights.js';

export interface SaveOptions {
  /** Storage dtype (default F32). */
  dtype?: SafetensorsSaveDtype;
  maxShardBytes?: number;
}

/** A Qwen2-architecture causal LM with its tokenizer. */
export class CausalLM {
  readonly config: Qwen2Config;
  readonly tokenizer: Tokenizer;
  readonly weights: ModelWeights;
  /**
   * Default of `tokenLogProbs`' `checkpoint`: recompute each decoder layer in backward instead of keeping its
   * activations (less memory for training, about one more forward pass of compute).
   */
  gradientCheckpointing = false;
  /** Default of `tokenLogProbs`' `keepLogits`: reuse the head's forward logits in backward (faster, more memory). */
  keepLogits = false;
  /** Default of `tokenLogProbs`' `chunkRows` (rows of logits per chunk; undefined: chunks of MAX_LOGITS_CHUNK). */
  logitsChunkRows: number | undefined = undefined;
  /** Default of `generate`'s and `tokenLogProbs`' `packedMlp` (WebGPU: gate and up as one matmul). */
  packedMlp = true;
  /** Default of `generate`'s `packedDecode` (WebGPU: decode on the preallocated in-place KV cache). */
  packedDecode = true;
  /** Default of `generate`'s `decodeGraph` (WebGPU: replay decode steps from a captured dispatch graph). */
  decodeGraph = true;
  private disposed = false;

  constructor(config: Qwen2Config, tokenizer: Tokenizer, weights: ModelWeights) {
    this.config = config;
    this.tokenizer = tokenizer;
    this.weights = weights;
  }

  get trainableVariables(): tf.Variable[] {
    return namedWeights(this.weights).map(([, v]) => v);
  }

  /** Loads an HF folder: config.json, model.safetensors (or sharded index), tokenizer.json + tokenizer_config.json. */
  static async fromPretrained(dir: string, opts: { tokenizer?: Tokenizer } = {}): Promise<CausalLM> {
    const configFile = join(dir, 'config.json');
    const config = parseQwen2Config(await readJsonFile(configFile, true), configFile);
    const tokenizer = opts.tokenizer ?? (await Tokenizer.fromDir(dir));
    if (tokenizer.vocabSize > config.vocabSize) {
      throw new LmInputError(
        'tokenizer',
        `${dir}: tokenizer vocab ${tokenizer.vocabSize} exceeds the model's vocab_size ${config.vocabSize}`,
      );
    }
    const tensors = await readCheckpointTensors(dir);
    checkTensors(config, tensors, dir);
    return new CausalLM(config, tokenizer, weightsFromTensors(config, tensors));
  }

  /** Random-init model of any Qwen2 shape (std 0.02, like HF's initializer_range), e.g. a model organism. */
  static fromConfig(configInput: Qwen2ConfigInput, tokenizer: Tokenizer, opts: { seed?: number } = {}): CausalLM {
    const config = parseQwen2Config(configInput, 'config');
    if (tokenizer.vocabSize > config.vocabSize) {
      throw new LmInputError(
        'tokenizer',
        `tokenizer vocab ${tokenizer.vocabSize} exceeds model vocab_size ${config.vocabSize}`,
      );
    }
    return new CausalLM(config, tokenizer, randomWeights(config, opts.seed ?? 0));
  }

  /** Random-init model of a preset shape; `tiny` uses the 512-token tiny tokenizer, the others Qwen's. */
  static async fromPreset(
    preset: Preset,
    opts: { seed?: number; tokenizer?: Tokenizer; qwenTokenizerDir?: string } = {},
  ): Promise<CausalLM> {
    if (!PRESETS.includes(preset))
      throw new LmInputError('preset', `unknown preset '${preset}' (one of ${PRESETS.join(', ')})`);
    const config = parseQwen2Config(PRESET_CONFIGS[preset], `preset:${preset}`);
    const qwen = (): Promise<Tokenizer> =>
      Tokenizer.qwenDefault(opts.qwenTokenizerDir === undefined ? {} : { dir: opts.qwenTokenizerDir });
    const tokenizer = opts.tokenizer ?? (preset === 'tiny' ? Tokenizer.tiny() : await qwen());
    if (tokenizer.vocabSize > config.vocabSize) {
      throw new LmInputError(
        'tokenizer',
        `tokenizer vocab ${tokenizer.vocabSize} exceeds model vocab_size ${config.vocabSize}`,
      );
    }
    return new CausalLM(config, tokenizer, randomWeights(config, opts.seed ?? 0));
  }

  /** Writes an HF folder loadable by transformers (config, generation_config, safetensors, tokenizer). */
  async save(dir: string, opts: SaveOptions = {}): Promise<void> {
    await writeCheckpointTensors(dir, namedWeights(this.weights), opts);
    await writeFile(join(dir, 'config.json'), JSON.stringify(configToJson(this.config), null, 2));
    const gen = {
      ...(this.config.bosTokenId !== undefined ? { bos_token_id: this.config.bosTokenId } : {}),
      eos_token_id: this.tokenizer.eosTokenIds,
      pad_token_id: this.tokenizer.padTokenId,
    };
    await writeFile(join(dir, 'generation_config.json'), JSON.stringify(gen, null, 2));
    await this.tokenizer.save(dir);
  }

  /** Batched sampling with a KV cache; prompts are token ids (left-padded internally). */
  generate(prompts: number[][], opts: GenerateOptions): Promise<GenerationOutput[]> {
    const withDefaults = {
      packedMlp: this.packedMlp,
      packedDecode: this.packedDecode,
      decodeGraph: this.decodeGraph,
      ...opts,
    };
    return generate(this.weights, this.config, this.tokenizer, prompts, withDefaults);
  }

  /** Differentiable per-token log-probs (column 0 and padding are 0); see scoring.ts. */
  tokenLogProbs(
    inputIds: tf.Tensor2D,
    attentionMask: tf.Tensor2D,
    opts: TokenLogProbsOptions = {},
  ): { logProbs: tf.Tensor2D; entropy?: tf.Tensor2D } {
    const withDefaults = {
      checkpoint: this.gradientCheckpointing,
      keepLogits: this.keepLogits,
      chunkRows: this.logitsChunkRows,
      packedMlp: this.packedMlp,
      ...opts,
    };
    return tf.tidy(() => tokenLogProbs(this.weights, this.config, inputIds, attentionMask, withDefaults));
  }

  /** Final-normed hidden states [B,T,H], differentiable (for heads on the backbone, e.g. a classifier). */
  hiddenStates(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D, opts: { checkpoint?: boolean } = {}): tf.Tensor3D {
    const withDefaults = { checkpoint: this.gradientCheckpointing, packedMlp: this.packedMlp, ...opts };
    return tf.tidy(() => hiddenStates(this.weights, this.config, inputIds, attentionMask, withDefaults));
  }

  /** Logits [B,T,V] (tests and small models). */
  logits(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => fullLogits(this.weights, this.config, inputIds, attentionMask));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.trainableVariables) v.dispose();
  }
}
