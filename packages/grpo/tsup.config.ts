import { magicTsup } from '@magic/tsup-config';
import { defineConfig, type Options } from 'tsup';

const main = magicTsup() as Options;

// `@magic/grpo/register-gradients` bundles tfjs-core's gradient registrations: Node's tfjs-core build
// ships none, and its per-op ESM files cannot be loaded by Node's own ESM loader. Registrations go to
// tfjs's global registry, so they serve the user's own tfjs-core instance.
const registerGradients: Options = {
  entry: { 'register-gradients': 'src/register-gradients.ts' },
  format: ['esm'],
  dts: { compilerOptions: { paths: {} } },
  sourcemap: false,
  clean: false,
  target: 'node20',
  tsconfig: 'tsconfig.json',
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
};

export default defineConfig([{ ...main, clean: true }, registerGradients]);
