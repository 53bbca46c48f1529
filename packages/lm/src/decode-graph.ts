import { type SampledTokens, sampleTokens } from '@magic/tensor/kernels';
import { captureDispatchGraph, type DispatchGraph, DispatchGraphError } from '@magic/tensor/webgpu';
import * as tf from '@tensorflow/tfjs-core';
import type { PackedDecoder } from './packed-model.js';

/** One decode step's sampled ids [B] and their temperature-1 log-probs, read back. */
export interface DecodedTokens {
  ids: Int32Array;
  logprobs: Float32Array;
}

/**
 * A PackedDecoder step plus device sampling, run through tfjs once (captured) and replayed from then on
 * (WebGPU): a replay encodes the ~220 recorded dispatches straight into one command buffer, skipping tfjs'
 * per-dispatch host work that bounds decoding. What changes between steps reaches the GPU as data: the
 * positions, slot and length (int32 tensors), the sampling uniforms, and the token ids, which the replay copies
 * on the device from the previous step's samples. Only the sampled ids and log-probs come back.
 */
export class DecodeGraph {
  private graph?: DispatchGraph;
  private out?: SampledTokens;
  private inputs?: {
    ids: tf.Tensor2D;
    positions: tf.Tensor1D;
    slot: tf.Tensor1D;
    length: tf.Tensor1D;
    uniforms?: tf.Tensor1D;
  };

  constructor(
    private readonly decoder: PackedDecoder,
    private readonly temperature: number,
  ) {}

  /** Dispatches per replayed step (0 before the first step). */
  get dispatches(): number {
    return this.graph?.dispatches ?? 0;
  }

  /** Programs of a replayed step, in order (empty before the first step). */
  get programs(): string[] {
    return this.graph?.programs ?? [];
  }

  /**
   * Enqueues one step and returns its samples (read back asynchronously). `ids` [B,1] int32 is needed on the
   * first step only (e.g. the prefill's samples, copied); later steps continue from the previous samples.
   * `uniforms` [B] in [0,1) when the temperature is above 0.
   */
  step(
    ids: tf.Tensor2D | undefined,
    positions: number[],
    slot: number,
    uniforms?: Float32Array,
  ): Promise<DecodedTokens> {
    if (this.temperature > 0 !== (uniforms !== undefined)) {
      throw new DispatchGraphError(`uniforms are needed exactly when the temperature is above 0 (${this.temperature})`);
    }
    if (!this.graph) return this.capture(ids, positions, slot, uniforms);
    this.enqueue(positions, slot, uniforms);
    return this.read();
  }

  /**
   * Enqueues a step after the first without reading its samples back (`read()` reads the latest step's):
   * steps continue from the previous samples on the device.
   */
  enqueue(positions: number[], slot: number, uniforms?: Float32Array): void {
    const graph = this.graph;
    const inputs = this.inputs;
    const out = this.out;
    if (!graph || !inputs || !out) throw new DispatchGraphError('enqueue before the first (captured) step');
    graph.write(inputs.positions, Int32Array.from(positions));
    graph.write(inputs.slot, Int32Array.of(slot));
    graph.write(inputs.length, Int32Array.of(slot + 1));
    if (uniforms && inputs.uniforms) graph.write(inputs.uniforms, uniforms);
    graph.replay({ before: [[out.ids, inputs.ids]] });
  }

  private capture(
    ids: tf.Tensor2D | undefined,
    positions: number[],
    slot: number,
    uniforms?: Float32Array,
  ): Promise<DecodedTokens> {
    if (!ids) throw new DispatchGraphError('the first decode step needs the token ids');
    const inputs = {
      // a buffer of its own, which later replays overwrite with each step's samples
      ids: tf.tidy(() => tf.add(ids, tf.scalar(0, 'int32'))) as tf.Tensor2D,
      positions: tf.tensor1d(positions, 'int32'),
      slot: tf.tensor1d([slot], 'int32'),
      length: tf.tensor1d([slot + 1], 'int32'),
      uniforms: uniforms ? tf.tensor1d(uniforms) : undefined,
    };
    this.inputs = inputs;
    const caches = this.decoder.cacheIds();
    const { graph, result } = captureDispatchGraph(
      () => {
        const logits = this.decoder.step(inputs.ids, inputs.positions, { slot: inputs.slot, length: inputs.length });
        try {
          return sampleTokens(
            logits,
            inputs.uniforms ? { temperature: this.temperature, uniforms: inputs.uniforms } : { temperature: 0 },
          );
        } finally {
          logits.dispose();
        }
      },
      { inputs: this.inputTensors() },
    );
    this.graph = graph;
    this.out = result;
    if (this.decoder.cacheIds().some((id, i) => id !== caches[i])) {
      // a cache written functionally is a new tensor each step: a replay would keep writing the old one
      throw new DispatchGraphError('the decode step did not write its KV cache in place; it cannot be replayed');
    }
    return this.read();
  }

  /** Reads the samples of the latest step. */
  read(): Promise<DecodedTokens> {
    const out = this.out;
    if (!out || !this.graph) throw new DispatchGraphError('read before the first (captured) step');
    return this.graph.read([out.ids, out.logprobs]).then(([ids, logprobs]) => ({
      ids: ids as Int32Array,
      logprobs: logprobs as Float32Array,
    }));
  }

  /** The tensors the graph reads its per-step data from (none before the first step). */
  private inputTensors(): tf.Tensor[] {
    const i = this.inputs;
    return i ? [i.ids, i.positions, i.slot, i.length, ...(i.uniforms ? [i.uniforms] : [])] : [];
  }

  dispose(): void {
    this.graph?.dispose();
    this.graph = undefined;
    tf.dispose([...this.inputTensors(), ...(this.out ? [this.out.ids, this.out.logprobs] : [])]);
    this.inputs = undefined;
    this.out = undefined;
  }
}
