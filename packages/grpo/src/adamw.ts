import type { AdamWStepParams } from '@magic/core';
import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { GrpoInputError } from './errors.js';

/** One AdamW step's hyper-parameters (@magic/core's `AdamWStepParams`, the fused kernel's too). */
export type AdamWStepHyper = AdamWStepParams;

/**
 * An accelerated per-variable update (e.g. @magic/tensor's fused in-place `adamwStepInPlace` on WebGPU): it
 * writes p, m and v itself and returns true, or returns false and leaves them untouched, and the built-in math runs.
 * Any other return value (e.g. a void hook) counts as having done the update.
 */
export type AdamWUpdate = (p: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, h: AdamWStepHyper) => unknown;

export interface AdamWOptions {
  betas: readonly [number, number];
  epsilon: number;
  weightDecay: number;
  /** The accelerated path; the built-in one runs ~14 tfjs ops per variable. */
  update?: AdamWUpdate;
  /** Which variables get weight decay (HF Trainer: not biases or norm weights). Default: all. */
  decays?: (variable: tf.Variable) => boolean;
  /**
   * Rounding order. 'torch' (default): `p·(1−lr·wd) − (lr/c1)·m/(√(v/c2)+ε)`, `c_i = 1−β_i^t` in float64.
   * 'tfjs-adam': tf.train.adam's, bit for bit (what the game's phase 1 ran before): `c_i` from a float32 running
   * product of β_i, then `(m/c1)/(√(v/c2)+ε)·(−lr) + p`; decoupled decay first when wd > 0. `update` is not used.
   */
  formula?: AdamWFormula;
}

export const ADAMW_FORMULAS = ['torch', 'tfjs-adam'] as const;
export type AdamWFormula = (typeof ADAMW_FORMULAS)[number];

/** tf.train.adam's bias corrections at step `t`: β^t is a float32 variable multiplied by float32 β once per step. */
function tfjsAdamBiasCorrections(beta1: number, beta2: number, step: number): [number, number] {
  const [b1, b2] = [Math.fround(beta1), Math.fround(beta2)];
  let [acc1, acc2] = [b1, b2];
  for (let i = 1; i < step; i++) {
    acc1 = Math.fround(acc1 * b1);
    acc2 = Math.fround(acc2 * b2);
  }
  return [Math.fround(1 - acc1), Math.fround(1 - acc2)];
}

/** A moment on the host: shape plus float32 data (what a checkpoint file stores). */
export const HostTensorSchema = z
  .object({
    shape: z.array(z.number().int().nonnegative()),
    // any Float32Array (also one over a SharedArrayBuffer, as file readers may return)
    data: z.custom<Float32Array>((x) => x instanceof Float32Array, { message: 'expected a Float32Array' }),
  })
  .refine((t) => t.data.length === t.shape.reduce((a, b) => a * b, 1), { message: 'data length does not match shape' });
export type HostTensor = z.infer<typeof HostTensorSchema>;

/**
 * AdamW state as torch's `optimizer.state_dict()` keeps it: the step count plus, per parameter *position* in the
 * list given to `stateDict`, its two moments (null: the parameter never had a gradient). Positions, not tfjs
 * variable names, so a restarted process (new names) maps the moments back.
 */
export const AdamWStateDictSchema = z.object({
  step: z.number().int().nonnegative(),
  state: z.array(z.object({ expAvg: HostTensorSchema, expAvgSq: HostTensorSchema }).nullable()),
});
export type AdamWStateDict = z.infer<typeof AdamWStateDictSchema>;

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * A variable that owns its buffer (a variable shares its initial tensor's until that is disposed). Auto-named:
 * two optimisers over the same parameters must not clash in tfjs's variable registry.
 */
function ownedVariable(init: tf.Tensor): tf.Variable {
  const x = tf.variable(init, false);
  init.dispose();
  return x;
}

/**
 * AdamW with decoupled weight decay over `tf.Variable`s (torch `AdamW` semantics):
 * `p ← p·(1 − lr·wd)`, then `p ← p − lr·m̂/(√v̂ + ε)` with bias-corrected moments.
 * tfjs ships no AdamW; the one of @magic/grpo, @magic/lm's SftTrainer and the game. Free it with `dispose()`.
 */
export class AdamW {
  private readonly slots = new Map<string, Slot>();
  private stepCount = 0;

  constructor(private readonly options: AdamWOptions) {}

  /** Number of optimiser steps taken. */
  get step(): number {
    return this.stepCount;
  }

  private slot(v: tf.Variable): Slot {
    let s = this.slots.get(v.name);
    if (!s) {
      s = {
        m: ownedVariable(tf.zerosLike(v)),
        v: ownedVariable(tf.zerosLike(v)),
      };
      this.slots.set(v.name, s);
    }
    return s;
  }

  /** Creates the zero moments of `params` now rather than at their first gradient (memory is taken up front). */
  initState(params: readonly tf.Variable[]): void {
    for (const p of params) this.slot(p);
  }

  /** Applies one update with `grads` (by variable name) at learning rate `lr`; variables without a gradient only decay. */
  apply(variables: readonly tf.Variable[], grads: Readonly<Record<string, tf.Tensor>>, lr: number): void {
    this.stepCount += 1;
    const [beta1, beta2] = this.options.betas;
    const step = this.stepCount;
    const tfjsAdam = this.options.formula === 'tfjs-adam';
    const [c1, c2] = tfjsAdam ? tfjsAdamBiasCorrections(beta1, beta2, step) : [1 - beta1 ** step, 1 - beta2 ** step];
    const { epsilon } = this.options;
    for (const p of variables) {
      const g = grads[p.name];
      const weightDecay = this.options.decays && !this.options.decays(p) ? 0 : this.options.weightDecay;
      const s = g ? this.slot(p) : undefined;
      if (g && s && this.options.update && !tfjsAdam) {
        const done = this.options.update(p, s.m, s.v, g, { lr, beta1, beta2, epsilon, weightDecay, step });
        if (done !== false) continue;
      }
      tf.tidy(() => {
        const decayed = weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        if (!g || !s) {
          if (weightDecay > 0) p.assign(decayed);
          return;
        }
        s.m.assign(tf.add(tf.mul(s.m, beta1), tf.mul(g, 1 - beta1)));
        s.v.assign(tf.add(tf.mul(s.v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const denom = tf.add(tf.sqrt(tf.div(s.v, c2)), epsilon);
        if (tfjsAdam) p.assign(tf.add(tf.mul(tf.div(tf.div(s.m, c1), denom), -lr), decayed));
        else p.assign(tf.sub(decayed, tf.mul(tf.div(s.m, denom), lr / c1)));
      });
    }
  }

  /** The step count and host copies of the moments of `params` (by position; see AdamWStateDict). */
  async stateDict(params: readonly tf.Variable[]): Promise<AdamWStateDict> {
    const state: AdamWStateDict['state'] = [];
    for (const p of params) {
      const s = this.slots.get(p.name);
      if (!s) {
        state.push(null);
        continue;
      }
      const [m, v] = await Promise.all([s.m.data(), s.v.data()]);
      state.push({
        expAvg: { shape: [...p.shape], data: Float32Array.from(m) },
        expAvgSq: { shape: [...p.shape], data: Float32Array.from(v) },
      });
    }
    return { step: this.stepCount, state };
  }

  /** Restores `stateDict(params)`'s result (validated: one entry per parameter, shapes equal to the parameters'). */
  loadStateDict(dict: AdamWStateDict, params: readonly tf.Variable[]): void {
    const parsed = AdamWStateDictSchema.safeParse(dict);
    if (!parsed.success) {
      const issue = defined(parsed.error.issues[0], 'zod issue');
      throw new GrpoInputError(`stateDict.${issue.path.join('.')}`, issue.message);
    }
    const { state, step } = parsed.data;
    if (state.length !== params.length) {
      throw new GrpoInputError('stateDict.state', `has ${state.length} entries, expected ${params.length} parameters`);
    }
    state.forEach((entry, i) => {
      const p = at(params, i, 'params');
      for (const t of entry ? [entry.expAvg, entry.expAvgSq] : []) {
        if (t.shape.join('x') !== p.shape.join('x')) {
          throw new GrpoInputError(
            'stateDict.state',
            `shape ${t.shape.join('x')} differs from ${p.shape.join('x')}`,
            i,
          );
        }
      }
    });
    this.disposeSlots();
    state.forEach((entry, i) => {
      if (!entry) return;
      const p = at(params, i, 'params');
      this.slots.set(p.name, {
        m: ownedVariable(tf.tensor(entry.expAvg.data, entry.expAvg.shape, 'float32')),
        v: ownedVariable(tf.tensor(entry.expAvgSq.data, entry.expAvgSq.shape, 'float32')),
      });
    });
    this.stepCount = step;
  }

  private disposeSlots(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }

  /** Frees the moment variables. */
  dispose(): void {
    this.disposeSlots();
  }
}
