import type { DecodeContext, DecodeOptions, Decoder } from './decoder.js';
import { DeviceDecoder } from './device-decoder.js';
import { GraphDecoder } from './graph-decoder.js';
import { HostDecoder } from './host-decoder.js';
import { PackedCacheDecoder } from './packed-decoder.js';

/**
 * generate()'s decode strategies: 'host' samples top-k / top-p on the host from full log-probs; 'device' samples on
 * the backend (ids and log-probs come back) on the concat KV cache; 'packed' does so on WebGPU's in-place cache;
 * 'graph' replays packed decode steps from a captured dispatch graph.
 */
export const DECODE_STRATEGIES = ['host', 'device', 'packed', 'graph'] as const;
export type DecodeStrategy = (typeof DECODE_STRATEGIES)[number];

/**
 * The strategy for these options on `backend` (tf.getBackend()): device sampling whenever the whole distribution is
 * used (greedy, or no top-k / top-p); the in-place cache and the graph on WebGPU unless turned off.
 */
export function decodeStrategy(
  o: Pick<DecodeOptions, 'temperature' | 'topP' | 'topK' | 'packedDecode' | 'decodeGraph'>,
  backend: string,
): DecodeStrategy {
  const onDevice = o.temperature === 0 || (o.topP >= 1 && !(o.topK > 0));
  if (!onDevice) return 'host';
  if (backend !== 'webgpu' || !o.packedDecode) return 'device';
  return o.decodeGraph ? 'graph' : 'packed';
}

export function createDecoder(strategy: DecodeStrategy, ctx: DecodeContext): Decoder {
  switch (strategy) {
    case 'host':
      return new HostDecoder(ctx);
    case 'device':
      return new DeviceDecoder(ctx);
    case 'packed':
      return new PackedCacheDecoder(ctx);
    case 'graph':
      return new GraphDecoder(ctx);
  }
}
