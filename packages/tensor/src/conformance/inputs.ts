import { mulberry32 } from '@magic/core';

/** Deterministic inputs (@magic/core's mulberry32 + Box-Muller) so every backend sees identical numbers. */
export function seededNormal(seed: number, n: number, scale = 1): Float32Array {
  const uniform = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(uniform(), 1e-12);
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform()) * scale;
  }
  return out;
}
