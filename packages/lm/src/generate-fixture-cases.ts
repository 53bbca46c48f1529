import type { GenerateOptions } from './generate.js';

/** One recorded generate() call: the device, prompts and options that select a decode strategy. */
export interface GenerateFixtureCase {
  name: string;
  strategy: 'host' | 'device' | 'packed' | 'graph';
  device: 'cpu' | 'webgpu';
  prompts: number[][];
  options: GenerateOptions;
}

const prompts = [
  [5, 6, 7, 8, 9],
  [10, 11],
  [12, 13, 14, 15, 16, 17, 18],
];
const sampled = { maxNewTokens: 12, temperature: 0.9, seed: 21, stopTokenIds: [] };
const greedy = { maxNewTokens: 12, temperature: 0, stopTokenIds: [] };

/**
 * The cases of fixtures/generate-strategies.json (scripts/write-generate-fixture.ts records them; the test replays
 * them): each strategy greedy and sampled; host sampling through top-k and top-p; a stop id that ends rows early.
 */
export const GENERATE_FIXTURE_CASES: GenerateFixtureCase[] = [
  { name: 'host-top-k', strategy: 'host', device: 'cpu', prompts, options: { ...sampled, topK: 7 } },
  { name: 'host-top-p', strategy: 'host', device: 'cpu', prompts, options: { ...sampled, topP: 0.8, seed: 3 } },
  { name: 'device-sampled', strategy: 'device', device: 'cpu', prompts, options: sampled },
  { name: 'device-greedy', strategy: 'device', device: 'cpu', prompts, options: greedy },
  { name: 'device-stop', strategy: 'device', device: 'cpu', prompts, options: { ...sampled, stopTokenIds: [397] } },
  {
    name: 'webgpu-device-sampled',
    strategy: 'device',
    device: 'webgpu',
    prompts,
    options: { ...sampled, packedDecode: false },
  },
  {
    name: 'packed-sampled',
    strategy: 'packed',
    device: 'webgpu',
    prompts,
    options: { ...sampled, decodeGraph: false },
  },
  { name: 'packed-greedy', strategy: 'packed', device: 'webgpu', prompts, options: { ...greedy, decodeGraph: false } },
  { name: 'graph-sampled', strategy: 'graph', device: 'webgpu', prompts, options: sampled },
  { name: 'graph-greedy', strategy: 'graph', device: 'webgpu', prompts, options: greedy },
  { name: 'graph-stop', strategy: 'graph', device: 'webgpu', prompts, options: { ...sampled, stopTokenIds: [397] } },
];
