import { describe, expect, it } from 'vitest';
import { type TensorCoreKernelConfig, tensorCoreGemmWgsl } from './kernel-wgsl.js';
import { TC_VARIANT_NAMES, variantFor } from './variants.js';

/*
 * The emulated kernel (what CI runs) and the real one (what the GPU runs) come from one generator: apart from the
 * type aliases and the emulated builtins' definitions, their code differs only where a subgroup-matrix builtin or
 * an f16 conversion is written, and in the emulation's run-time-zero loop bounds. Mapping both onto the same
 * placeholders must give identical text, so the emulation tests the real kernel's staging, scaling, indexing,
 * double buffering and epilogue.
 */

/** The code from the first staging function on, with builtins and conversions mapped to placeholders. */
function canonical(code: string): string {
  const start = code.indexOf('var<private> pa');
  return code
    .slice(start)
    .replace(/ \+ u32\(uniforms\.M < 0\)/g, '')
    .replace(/\(\d+u\)/g, (m) => m.slice(1, -1))
    .replace(/\((\d+) \+ i32\(u32\(uniforms\.M < 0\)\)\)/g, '$1')
    .replace(/\((\d+u)\)/g, '$1')
    .replace(/subgroupMatrixLoad<\w+>\(&\w+, (.+?), (true|false), (\d+u)\)/g, 'LOAD($1, $3, $2)')
    .replace(/EmuMat\((.+?), (\d+u), (true|false)\)/g, 'LOAD($1, $2, $3)')
    .replace(/subgroupMatrixMultiplyAccumulate\(/g, 'MMA(')
    .replace(/emuMma\w+\((.+), (\d+u)\)/g, 'MMA($1)')
    .replace(/subgroupMatrixStore\(&(\w+), (.+?), (.+?), false, (\d+u)\)/g, 'STORE_$1($2, $3, $4)')
    .replace(/emuStore(\w+)\(/g, 'STORE_$1(')
    .replace(/\bf16\(|roundF16\(/g, 'CONV(');
}

describe('one generator for the real and the emulated kernel', () => {
  const layouts = [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const;
  for (const name of TC_VARIANT_NAMES) {
    for (const precision of ['f16', 'split-f16'] as const) {
      it(`${name} (${precision}): same code modulo the subgroup-matrix builtins`, () => {
        for (const [transposeA, transposeB] of layouts) {
          const base: Omit<TensorCoreKernelConfig, 'emulate'> = {
            ...variantFor(name, precision),
            transposeA,
            transposeB,
            bias: transposeA,
          };
          const real = tensorCoreGemmWgsl({ ...base, emulate: false });
          const emulated = tensorCoreGemmWgsl({ ...base, emulate: true });
          expect(real).toMatch(/subgroupMatrixMultiplyAccumulate/);
          expect(emulated).not.toMatch(/subgroupMatrix|enable /);
          const c = canonical(real);
          expect(c.length).toBeGreaterThan(2000);
          for (const p of ['LOAD(', 'MMA(', 'STORE_Cs(', 'CONV(', 'fn main(']) expect(c).toContain(p);
          expect(canonical(emulated)).toBe(c);
        }
      });
    }
  }

  it('the comparison sees real differences (another chunk depth or layout is not equal)', () => {
    const base: TensorCoreKernelConfig = {
      ...variantFor('n8-f4x4-s2x2-bk32', 'f16'),
      transposeA: false,
      transposeB: false,
      bias: false,
      emulate: false,
    };
    const c = canonical(tensorCoreGemmWgsl(base));
    expect(canonical(tensorCoreGemmWgsl({ ...base, emulate: true, bk: 16 }))).not.toBe(c);
    expect(canonical(tensorCoreGemmWgsl({ ...base, emulate: true, transposeB: true }))).not.toBe(c);
  });
});
