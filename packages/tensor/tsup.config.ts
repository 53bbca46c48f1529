import { magicTsup } from '@magic/tsup-config';
import type { Options } from 'tsup';

// One entry per subpath export (`.`, `./kernels`, `./webgpu`, `./testing`).
// `webgpu` (Dawn) is an optional dependency with a native addon found relative to its own files: never bundle it.
const base = magicTsup({
  entry: ['src/index.ts', 'src/kernels.ts', 'src/webgpu.ts', 'src/testing.ts'],
}) as Options;
export default {
  ...base,
  external: [
    ...((base.external as string[] | undefined) ?? []),
    'webgpu',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
  ],
} satisfies Options;
