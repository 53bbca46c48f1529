import type { GrpoUpdater } from '@magic/grpo';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors.js';

/**
 * Checkpointing of a GrpoUpdater's AdamW moments, step count and scheduler step. @magic/grpo keeps
 * these private (no state API yet), so this reads the fields by name; slots are stored per
 * trainable-variable index so a restarted process (new variable names) maps them back.
 */
interface AdamWInternals {
  step: number;
  slots: Map<string, { m: tf.Variable; v: tf.Variable }>;
}
interface UpdaterInternals {
  optimizer: AdamWInternals;
  schedulerStep: number;
}

function internals(updater: GrpoUpdater): UpdaterInternals {
  const u = updater as unknown as Partial<UpdaterInternals>;
  if (!u.optimizer || !(u.optimizer.slots instanceof Map) || typeof u.schedulerStep !== 'number') {
    throw new CheckpointError('GrpoUpdater', 'optimizer state is not accessible (unexpected @magic/grpo internals)');
  }
  return u as UpdaterInternals;
}

export async function readOptimizerState(
  updater: GrpoUpdater,
  variables: readonly tf.Variable[],
): Promise<{ tensors: Record<string, { shape: number[]; data: Float32Array }>; metadata: Record<string, string> }> {
  const u = internals(updater);
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [i, v] of variables.entries()) {
    const slot = u.optimizer.slots.get(v.name);
    if (!slot) continue;
    tensors[`optim.m.${i}`] = { shape: v.shape, data: (await slot.m.data()) as Float32Array };
    tensors[`optim.v.${i}`] = { shape: v.shape, data: (await slot.v.data()) as Float32Array };
  }
  return {
    tensors,
    metadata: { 'optim.step': String(u.optimizer.step), 'optim.schedulerStep': String(u.schedulerStep) },
  };
}

export function writeOptimizerState(
  updater: GrpoUpdater,
  variables: readonly tf.Variable[],
  tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
  metadata: Readonly<Record<string, string>>,
  file: string,
): void {
  const u = internals(updater);
  const step = Number(metadata['optim.step'] ?? 'NaN');
  const schedulerStep = Number(metadata['optim.schedulerStep'] ?? 'NaN');
  if (!Number.isInteger(step) || !Number.isInteger(schedulerStep)) {
    throw new CheckpointError(file, 'metadata optim.step / optim.schedulerStep missing');
  }
  u.optimizer.step = step;
  u.schedulerStep = schedulerStep;
  variables.forEach((v, i) => {
    const m = tensors.get(`optim.m.${i}`);
    const s = tensors.get(`optim.v.${i}`);
    if (!m || !s) return;
    const existing = u.optimizer.slots.get(v.name);
    if (existing) {
      tf.tidy(() => {
        existing.m.assign(tf.tensor(m.data, m.shape));
        existing.v.assign(tf.tensor(s.data, s.shape));
      });
      return;
    }
    const mt = tf.tensor(m.data, m.shape);
    const vt = tf.tensor(s.data, s.shape);
    try {
      u.optimizer.slots.set(v.name, {
        m: tf.variable(mt, false, `${v.name}/adamw_m`),
        v: tf.variable(vt, false, `${v.name}/adamw_v`),
      });
    } finally {
      mt.dispose();
      vt.dispose();
    }
  });
}
