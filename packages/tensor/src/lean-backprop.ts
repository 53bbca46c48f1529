import * as tf from '@tensorflow/tfjs-core';

/*
 * tfjs' backward pass (tape.ts backpropagateGradients) keeps every tensor it touches until the whole backward
 * ends: each node's output gradients (one [B,T,H] tensor per op for a decoder) and each node's saved forward
 * tensors (the activations) are only freed when engine.gradients' 'backward' tidy closes. The peak of a backward
 * pass is therefore all activations plus all intermediate gradients, and on WebGPU the buffer pool keeps that
 * peak for good. PyTorch frees both as soon as a node's backward has run.
 *
 * This does the same inside tfjs without forking its engine: each tape node's gradient function is wrapped so
 * that, once the gradients of all its inputs have been computed, the node's output gradients and its saved
 * tensors are disposed. Never disposed: the caller's `dy`, gradients of the requested `xs` (returned to the
 * caller), a tensor a gradient function handed back as one of its input gradients (it is cloned first, so the
 * accumulated gradient owns its own reference), and anything during higher-order gradients (gradient depth > 0,
 * when the backward itself is being taped).
 */

interface TapeNodeLike {
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: ((dys: tf.Tensor[]) => Record<string, () => tf.Tensor>) | undefined;
}

interface EngineLike {
  state: { gradientDepth: number; activeTape: TapeNodeLike[] | null };
  addTapeNode(...args: unknown[]): void;
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean): unknown;
}

let installed: { addTapeNode: EngineLike['addTapeNode']; gradients: EngineLike['gradients'] } | undefined;
/** Per active engine.gradients call (nested calls stack): tensors the backward must not free. */
const guarded: { dy: tf.Tensor | undefined; xs: Set<number> }[] = [];

function isGuarded(t: tf.Tensor, output: tf.Tensor): boolean {
  return guarded.some((g) => g.dy === t || g.xs.has(output.id));
}

function wrapNode(engine: EngineLike, node: TapeNodeLike): void {
  const gradient = node.gradient;
  if (!gradient) return;
  // A function, not an arrow: tfjs calls it on the pruned copy of the node (`this`), whose inputs are only those
  // on a path from the requested xs; gradients of the others (attention masks, ids) are never computed.
  node.gradient = function (this: TapeNodeLike | undefined, dys: tf.Tensor[]) {
    if (engine.state.gradientDepth > 0) return gradient(dys);
    // All input gradients at once inside one tidy: what a gradient function makes on the way (a customGrad's
    // gradFunc runs outside any tidy in tfjs) goes at once, not at the end of the backward pass.
    const names = Object.keys((this ?? node).inputs);
    const computed = tf.tidy(() => {
      const closures = gradient(dys);
      const held = new Set<tf.Tensor>([...dys, ...(node.saved ?? [])]);
      const out: Record<string, tf.Tensor> = {};
      for (const name of names) {
        const compute = closures[name];
        if (!compute) continue;
        let dx = compute();
        // A gradient handed back as is (identity-like gradients), or twice, gets its own reference.
        if (held.has(dx)) dx = tf.clone(dx);
        held.add(dx);
        out[name] = dx;
      }
      return out;
    });
    release(node, dys);
    return Object.fromEntries(Object.entries(computed).map(([name, dx]) => [name, () => dx]));
  };
}

function release(node: TapeNodeLike, dys: tf.Tensor[]): void {
  dys.forEach((dy, i) => {
    const output = node.outputs[i];
    if (dy && output && !dy.isDisposed && !isGuarded(dy, output)) dy.dispose();
  });
  for (const s of node.saved ?? []) s.dispose();
  if (node.saved) node.saved = [];
}

/**
 * Makes tfjs' backward pass free each node's output gradients and saved tensors as soon as the node's own
 * backward has run (see above); the gradients it returns are unchanged. Installed by initBackend (option
 * `leanBackprop`, default true); idempotent. Returns whether it was newly installed.
 */
export function installLeanBackprop(): boolean {
  if (installed) return false;
  const engine = tf.engine() as unknown as EngineLike;
  const original = { addTapeNode: engine.addTapeNode, gradients: engine.gradients };
  engine.addTapeNode = function (this: EngineLike, ...args: unknown[]) {
    original.addTapeNode.apply(this, args);
    const tape = this.state.activeTape;
    const node = tape?.[tape.length - 1];
    if (node) wrapNode(this, node);
  };
  engine.gradients = function (this: EngineLike, f, xs, dy, allowNoGradients) {
    // Called from inside another backward pass (a custom gradient that recomputes, as gradient checkpointing
    // does), tfjs' gradients() ends by setting the engine's active tape to null, which the outer call then reads
    // to free its saved tensors: the outer tape is put back.
    const outerTape = guarded.length > 0 ? this.state.activeTape : undefined;
    guarded.push({ dy, xs: new Set(xs.map((x) => x.id)) });
    try {
      return original.gradients.call(this, f, xs, dy, allowNoGradients);
    } finally {
      guarded.pop();
      if (outerTape !== undefined) this.state.activeTape = outerTape;
    }
  };
  installed = original;
  return true;
}

/** Restores tfjs' own backward pass (tests, comparisons). */
export function uninstallLeanBackprop(): void {
  if (!installed) return;
  const engine = tf.engine() as unknown as EngineLike;
  engine.addTapeNode = installed.addTapeNode;
  engine.gradients = installed.gradients;
  installed = undefined;
}

/** Whether the lean backward pass is installed. */
export function leanBackpropInstalled(): boolean {
  return installed !== undefined;
}
