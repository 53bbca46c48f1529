import * as tf from '@tensorflow/tfjs-core';
import { sumTensors } from './sum-tensors.js';

export interface AdamWParams {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** AdamW with decoupled weight decay (PyTorch semantics); state is named for checkpointing. */
export class AdamW {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Number of updates applied (bias correction uses t = steps + 1). */
  steps = 0;

  constructor(
    private readonly params: AdamWParams,
    private readonly named: [string, tf.Variable][],
    /** Parameters that get weight decay (HF Trainer: not biases or norm weights). */
    private readonly decays: (name: string) => boolean,
  ) {
    for (const [name, p] of named) {
      this.m.set(name, ownedVariable(tf.zerosLike(p)));
      this.v.set(name, ownedVariable(tf.zerosLike(p)));
    }
  }

  /** Applies one update with learning rate `lr`; grads keyed by HF name. */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this.params;
    const t = this.steps + 1;
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    for (const [name, p] of this.named) {
      const g = grads.get(name);
      if (!g) continue;
      tf.tidy(() => {
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(m1);
        v.assign(v1);
        const update = tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(v1, c2)), eps));
        const decayed = this.decays(name) && weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      });
    }
    this.steps = t;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}

/** sqrt(sum ||g||^2) over all gradients. */
export async function globalNorm(grads: tf.Tensor[]): Promise<number> {
  const sq = tf.tidy(() => sumTensors(grads.map((g) => tf.sum(tf.square(g)))));
  const v = (await sq.data())[0]!;
  sq.dispose();
  return Math.sqrt(v);
}

/** A non-trainable variable from a temporary tensor (which is disposed: tf.variable keeps its own reference). */
function ownedVariable(init: tf.Tensor): tf.Variable {
  const v = tf.variable(init, false);
  init.dispose();
  return v;
}
