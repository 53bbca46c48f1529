import { DecodeGraph } from '../decode-graph.js';
import type { PackedDecoder } from '../packed-model.js';
import { type Decoder, decodePosition, drawUniforms, type Sampled } from './decoder.js';
import { PackedCacheDecoder } from './packed-decoder.js';

/**
 * Steps a decode loop replayed from a dispatch graph runs ahead of its read-backs: a step's host work is ~1.5 ms and
 * a read-back's latency ~3 ms on an H200, so waiting for the previous step only would leave the GPU idle.
 */
const GRAPH_READ_AHEAD = 2;

/**
 * PackedCacheDecoder whose decode steps (after the prefill) are replayed from a captured dispatch graph: the
 * sampled ids stay on the device from step to step, and only ids and log-probs come back, two steps behind.
 */
export class GraphDecoder extends PackedCacheDecoder implements Decoder {
  override readonly readAhead = GRAPH_READ_AHEAD;
  private graph: DecodeGraph | undefined;

  override step(s: number): Promise<Sampled> {
    if (s === 0 || !this.graph) return super.step(s);
    const { ctx } = this;
    const { positions, slot } = decodePosition(ctx, s);
    const u = ctx.options.temperature === 0 ? undefined : drawUniforms(ctx);
    // the first replayed step copies the prefill's samples; later ones continue from the graph's own
    const read = this.graph.step(this.input, positions, slot, u);
    this.input?.dispose();
    this.input = undefined;
    return read;
  }

  protected override afterPrefill(packed: PackedDecoder): void {
    this.graph = new DecodeGraph(packed, this.ctx.options.temperature);
  }

  override dispose(): void {
    this.input?.dispose();
    this.input = undefined;
    this.graph?.dispose();
    super.dispose();
  }
}
