import { magicTsup } from '@magic/tsup-config';
import { defineConfig, type Options } from 'tsup';

const preset = magicTsup() as Options;

// `@magic/grpo/register-gradients` bundles tfjs-core's gradient registrations: Node's tfjs-core build
// ships none, and its per-op ESM files cannot be loaded by Node's own ESM loader. Registrations go to
// tfjs's global registry, so they serve the user's own tfjs-core instance. Only deep
// `@tensorflow/tfjs-core/dist/...` imports are bundled; the main entry keeps `@tensorflow/tfjs-core` external.
export default defineConfig({
  ...preset,
  entry: { index: 'src/index.ts', 'register-gradients': 'src/register-gradients.ts' },
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
