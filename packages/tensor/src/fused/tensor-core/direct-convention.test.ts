import { describe, expect, it } from 'vitest';
import { useSoftwareWebGpu } from '../test-helpers.js';
import { standaloneDirectModule } from './direct-wgsl.js';
import type { TensorCoreKernelConfig } from './kernel-wgsl.js';
import { directProbeConfig, directProbeUniforms, matMulF32, runRawWorkgroup } from './raw-run.js';

/*
 * The emulated subgroup-matrix builtins take each fragment's rows and columns from the kernel's own type
 * declarations, read with the spec's (columns, rows) template order. So the emulation checks the convention the
 * real kernel declares: the same matrix kernel with its declarations written the other way round (rows first)
 * must compute a wrong product on the software adapter, while the spec's order computes the exact one.
 */
useSoftwareWebGpu({ withCpu: false });

async function runMatrixKernel(cfg: TensorCoreKernelConfig, convention: 'spec' | 'swapped') {
  const bm = cfg.sgm * cfg.ti * cfg.mma.m;
  const bn = cfg.sgn * cfg.tj * cfg.mma.n;
  const kp = 32;
  // small integers: every summation order gives the exact product
  const a = Float32Array.from({ length: bm * kp }, (_, i) => ((i * 7) % 11) - 5);
  const b = Float32Array.from({ length: kp * bn }, (_, i) => ((i * 5 + 1) % 13) - 6);
  const want = matMulF32(a, b, bm, kp, bn);
  const got = await runRawWorkgroup(
    standaloneDirectModule(cfg, convention),
    [{ data: a }, { data: b }, { data: directProbeUniforms(bm, bn, kp), uniform: true }],
    bm * bn,
  );
  return { got, want };
}

describe('the emulation follows the declared subgroup-matrix types', () => {
  for (const mma of [
    { m: 16, n: 8, k: 16 },
    { m: 16, n: 8, k: 8 },
  ] as const) {
    it(`${mma.m}x${mma.n}x${mma.k}: the spec's order gives the product, rows-first declarations do not`, async () => {
      const cfg = directProbeConfig(mma, true);
      const spec = await runMatrixKernel(cfg, 'spec');
      expect(Array.from(spec.got)).toEqual(Array.from(spec.want));
      const swapped = await runMatrixKernel(cfg, 'swapped');
      expect(Array.from(swapped.got)).not.toEqual(Array.from(swapped.want));
    }, 60_000);
  }
});
