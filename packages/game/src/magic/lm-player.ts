import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import {
  computeLogProbsNoGrad,
  type GrpoAdvantages,
  type GrpoConfigInput,
  GrpoUpdater,
  type LogProbRows,
  type Policy,
} from '@magic/grpo';
import { CausalLM, type ModelWeights } from '@magic/lm';
import { LocalGenerator } from '@magic/rollout';
import { loadSafetensorsFile, saveSafetensorsFile } from '@magic/tensor';
import { adamwStepInPlace, axpyInPlace, sumOfSquares } from '@magic/tensor/kernels';
import * as tf from '@tensorflow/tfjs-core';
import type { GameConfig, Role } from '../config/schema.js';
import { CheckpointError, ReferencePolicyError } from '../errors.js';
import { addMany } from './add-many.js';
import { readOptimizerState, writeOptimizerState } from './grpo-state.js';
import type { Player, PlayerBatch } from './player.js';

const TRAIN_STATE_FILE = 'train-state.safetensors';

/** A real copy of one weight (not a shared buffer: the fused AdamW updates the live weights in place). */
function frozenCopy(v: tf.Variable | tf.Tensor): tf.Variable {
  const copy = tf.tidy(() => tf.mul(v, 1));
  const frozen = tf.variable(copy, false);
  copy.dispose();
  return frozen;
}

/** A frozen copy of every weight, in the same layout (verl's reference policy holds one more copy of the model). */
export function frozenWeights(w: ModelWeights, copy: (v: tf.Variable) => tf.Variable = frozenCopy): ModelWeights {
  const made: tf.Variable[] = [];
  // a failed copy (e.g. a bad checkpoint tensor) frees the ones already made
  const take = (v: tf.Variable): tf.Variable => {
    const c = copy(v);
    made.push(c);
    return c;
  };
  try {
    const layers = w.layers.map(
      (layer) => Object.fromEntries(Object.entries(layer).map(([k, v]) => [k, take(v)])) as unknown as typeof layer,
    );
    return {
      embed: take(w.embed),
      layers,
      norm: take(w.norm),
      ...(w.lmHead ? { lmHead: take(w.lmHead) } : {}),
    };
  } catch (e) {
    for (const v of made) v.dispose();
    throw e;
  }
}

/**
 * The GRPO settings of the game config as @magic/grpo takes them (the section embeds its schema, so every option
 * passes through); a cosine schedule without `totalTrainingSteps` spans `trainer.totalSteps` (verl fills
 * total_training_steps from the trainer).
 */
export function grpoConfigFor(config: GameConfig): GrpoConfigInput {
  const { gradientCheckpointing: _trainerOnly, ...grpo } = config.grpo;
  return { ...grpo, totalTrainingSteps: grpo.totalTrainingSteps ?? Math.max(1, config.trainer.totalSteps) };
}

/** @magic/lm's CausalLM as @magic/grpo's Policy (same log-prob convention; entropy for entropyCoeff > 0). */
export function causalLmPolicy(model: CausalLM): Policy {
  return {
    trainableVariables: model.trainableVariables,
    computeLogProbs: (batch) =>
      model.tokenLogProbs(batch.inputIds, batch.attentionMask, { fromPosition: batch.fromPosition }).logProbs,
    computeLogProbsAndEntropy: (batch, opts) => {
      const { logProbs, entropy } = model.tokenLogProbs(batch.inputIds, batch.attentionMask, {
        withEntropy: true,
        entropyGrad: opts?.entropyGrad ?? true,
        fromPosition: batch.fromPosition,
      });
      return { logProbs, entropy: defined(entropy, 'entropy asked of tokenLogProbs') };
    },
  };
}

/**
 * A @magic/lm CausalLM as a game player: a LocalGenerator for sampling, the model's token
 * log-probs as GRPO's Policy, and a GrpoUpdater. Checkpoints hold the HF folder (model.save) and
 * an exact float32 copy of every trainable variable plus the optimizer slots, so a resume
 * continues bit-for-bit.
 */
export class LmPlayer implements Player {
  readonly generator: LocalGenerator;
  readonly padTokenId: number;
  readonly updater: GrpoUpdater;
  readonly microBatchSize: number;
  readonly useKlLoss: boolean;
  /** Frozen weights from the start of phase 2 (only with grpo.useKlLoss). */
  #reference: CausalLM | undefined;

  constructor(
    readonly role: Role,
    readonly model: CausalLM,
    config: GameConfig,
  ) {
    this.generator = new LocalGenerator({ model, id: `local-${role}` });
    this.padTokenId = model.tokenizer.padTokenId;
    this.microBatchSize = config.grpo.ppoMicroBatchSize;
    this.useKlLoss = config.grpo.useKlLoss;
    model.gradientCheckpointing = config.grpo.gradientCheckpointing;
    // fused in-place AdamW, a two-pass Σg² for the clip norm and in-place gradient accumulation/clip scaling on
    // WebGPU; the same math elsewhere
    this.updater = new GrpoUpdater(causalLmPolicy(model), grpoConfigFor(config), {
      adamwUpdate: adamwStepInPlace,
      sumOfSquares,
      axpyInPlace,
    });
  }

  /** No-grad log-probs, `microBatchSize` rows at a time (bounds activation memory, e.g. wasm's heap). */
  computeLogProbs(batch: LogProbRows): Promise<number[][]> {
    return this.updater.computeOldLogProbs(batch);
  }

  /** Whether the frozen reference policy (grpo.useKlLoss) is held. */
  get hasReference(): boolean {
    return this.#reference !== undefined;
  }

  /** Phase 2 starts: with `grpo.useKlLoss`, freeze the current weights as the reference policy (verl's ref). */
  async beginPhase2(): Promise<void> {
    if (this.useKlLoss) this.freezeReference();
  }

  /** Takes a frozen copy of the current weights as the reference policy (replacing any earlier one). */
  freezeReference(): void {
    this.disposeReference();
    this.#reference = new CausalLM(this.model.config, this.model.tokenizer, frozenWeights(this.model.weights));
  }

  /** No-grad log-probs of the frozen reference policy (the KL loss's π_ref), like `computeLogProbs`. */
  computeRefLogProbs(batch: LogProbRows): Promise<number[][]> {
    if (!this.#reference) throw new ReferencePolicyError(this.role);
    return computeLogProbsNoGrad(causalLmPolicy(this.#reference), batch, this.microBatchSize);
  }

  /** Frees the reference copy (the live model is the caller's). */
  disposeReference(): void {
    this.#reference?.dispose();
    this.#reference = undefined;
  }

  computeAdvantages(batch: PlayerBatch): GrpoAdvantages {
    return this.updater.computeAdvantages(batch);
  }

  step(batch: PlayerBatch, advantages: GrpoAdvantages): Promise<Record<string, number>> {
    return this.updater.step(batch, advantages);
  }

  update(batch: PlayerBatch): Promise<Record<string, number>> {
    return this.updater.update(batch);
  }

  async saveCheckpoint(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(dir, 'hf'), { recursive: true });
    await this.model.save(join(dir, 'hf'));
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [i, v] of this.model.trainableVariables.entries()) {
      tensors[`param.${i}`] = { shape: v.shape, data: (await v.data()) as Float32Array };
    }
    if (this.#reference) {
      for (const [i, v] of this.#reference.trainableVariables.entries()) {
        tensors[`ref.${i}`] = { shape: v.shape, data: (await v.data()) as Float32Array };
      }
    }
    const optim = await readOptimizerState(this.updater);
    Object.assign(tensors, optim.tensors);
    await saveSafetensorsFile(join(dir, TRAIN_STATE_FILE), tensors, { dtype: 'F32', metadata: optim.metadata });
  }

  async loadCheckpoint(dir: string): Promise<void> {
    const file = join(dir, TRAIN_STATE_FILE);
    const st = await loadSafetensorsFile(file);
    this.model.trainableVariables.forEach((v, i) => {
      const t = st.tensors.get(`param.${i}`);
      if (!t || t.shape.join('x') !== v.shape.join('x')) {
        throw new CheckpointError(file, `param.${i}: missing or shape differs from ${v.shape.join('x')}`);
      }
      tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, v.dtype)));
    });
    writeOptimizerState(this.updater, this.model.trainableVariables.length, st.tensors, st.metadata ?? {}, file);
    if (st.tensors.has('ref.0')) {
      // the reference is the phase-2 start, not the checkpoint's weights: it travels with the checkpoint
      const index = new Map(this.model.trainableVariables.map((v, i) => [v, i]));
      const weights = frozenWeights(this.model.weights, (v) => {
        // a weight that is not trainable has no ref tensor: the missing-tensor error below
        const i = index.get(v);
        const t = i === undefined ? undefined : st.tensors.get(`ref.${i}`);
        if (!t || t.shape.join('x') !== v.shape.join('x')) {
          throw new CheckpointError(file, `ref.${i}: missing or shape differs from ${v.shape.join('x')}`);
        }
        return tf.tidy(() => tf.variable(tf.tensor(t.data, t.shape, 'float32'), false));
      });
      this.disposeReference();
      this.#reference = new CausalLM(this.model.config, this.model.tokenizer, weights);
    }
  }

  async parameterFingerprint(): Promise<number> {
    const total = tf.tidy(() => addMany(this.model.trainableVariables.map((v) => tf.sum(tf.abs(v)))));
    try {
      return at(await total.data(), 0, 'fingerprint');
    } finally {
      total.dispose();
    }
  }
}
