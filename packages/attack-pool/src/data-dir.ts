import { fileURLToPath } from 'node:url';

/** Absolute path of the package's `data/` folder (works from `src/` and from the bundled `dist/`). */
export function dataDir(...parts: string[]): string {
  const base = fileURLToPath(new URL('../data/', import.meta.url));
  return parts.length ? `${base}${parts.join('/')}` : base;
}
