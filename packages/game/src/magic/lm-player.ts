import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { firstMaskedColumn, type GrpoConfigInput, GrpoUpdater, type Policy } from '@magic/grpo';
import type { CausalLM } from '@magic/lm';
import { LocalGenerator } from '@magic/rollout';
import { adamwStep, axpyInPlace, loadSafetensorsFile, saveSafetensorsFile, sumOfSquares } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import type { GameConfig, Role } from '../config/schema.js';
import { CheckpointError } from '../errors.js';
import { addMany } from './add-many.js';
import { readOptimizerState, writeOptimizerState } from './grpo-state.js';
import type { Player, PlayerBatch } from './player.js';

const TRAIN_STATE_FILE = 'train-state.safetensors';

/** The GRPO settings of the game config in @magic/grpo's names. */
export function grpoConfigFor(config: GameConfig): GrpoConfigInput {
  const g = config.grpo;
  return {
    lr: g.lr,
    clipRatioLow: g.clipRatioLow,
    clipRatioHigh: g.clipRatioHigh,
    clipRatioC: g.clipRatioC,
    logRatioClip: g.logRatioClip,
    clipMode: g.clipMode,
    entropyCoeff: g.entropyCoeff,
    useKlLoss: g.useKlLoss,
    klLossCoef: g.klLossCoef,
    lossAggMode: g.lossAggMode,
    gradClip: g.gradClip,
    weightDecay: g.weightDecay,
    ppoEpochs: g.ppoEpochs,
    ppoMiniBatchSize: g.ppoMiniBatchSize,
    ppoMicroBatchSize: g.ppoMicroBatchSize,
  };
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
      return { logProbs, entropy: entropy! };
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

  constructor(
    readonly role: Role,
    readonly model: CausalLM,
    config: GameConfig,
  ) {
    this.generator = new LocalGenerator({ model, id: `local-${role}` });
    this.padTokenId = model.tokenizer.padTokenId;
    this.microBatchSize = config.grpo.ppoMicroBatchSize;
    model.gradientCheckpointing = config.grpo.gradientCheckpointing;
    // fused in-place AdamW, a two-pass Σg² for the clip norm and in-place gradient accumulation/clip scaling on
    // WebGPU; the same math elsewhere
    this.updater = new GrpoUpdater(causalLmPolicy(model), grpoConfigFor(config), {
      adamwUpdate: adamwStep,
      sumOfSquares,
      axpyInPlace,
    });
  }

  /** No-grad log-probs, `microBatchSize` rows at a time (bounds activation memory, e.g. wasm's heap). */
  async computeLogProbs(batch: {
    inputIds: number[][];
    attentionMask: number[][];
    responseMask?: number[][];
  }): Promise<number[][]> {
    const rows: number[][] = [];
    for (let start = 0; start < batch.inputIds.length; start += this.microBatchSize) {
      const end = Math.min(start + this.microBatchSize, batch.inputIds.length);
      const fromPosition = batch.responseMask
        ? firstMaskedColumn(
            batch.responseMask,
            Array.from({ length: end - start }, (_, i) => start + i),
          )
        : undefined;
      const out = tf.tidy(() => {
        const ids = tf.tensor2d(batch.inputIds.slice(start, end), undefined, 'int32');
        const mask = tf.tensor2d(batch.attentionMask.slice(start, end), undefined, 'int32');
        return this.model.tokenLogProbs(ids, mask, { fromPosition }).logProbs;
      });
      try {
        rows.push(...((await out.array()) as number[][]));
      } finally {
        out.dispose();
      }
    }
    return rows;
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
    const optim = await readOptimizerState(this.updater, this.model.trainableVariables);
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
    writeOptimizerState(this.updater, this.model.trainableVariables, st.tensors, st.metadata ?? {}, file);
  }

  async parameterFingerprint(): Promise<number> {
    const total = tf.tidy(() => addMany(this.model.trainableVariables.map((v) => tf.sum(tf.abs(v)))));
    try {
      return (await total.data())[0]!;
    } finally {
      total.dispose();
    }
  }
}
