import { magicTsup } from '@magic/tsup-config';
import type { Options } from 'tsup';

// `webgpu` (Dawn) is an optional dependency with a native addon found relative to its own files: never bundle it.
const base = magicTsup() as Options;
export default {
  ...base,
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
} satisfies Options;
