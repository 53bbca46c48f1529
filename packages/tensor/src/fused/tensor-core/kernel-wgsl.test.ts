import { describe, expect, it } from 'vitest';
import { directGemmWgsl, matrixType, standaloneDirectModule } from './direct-wgsl.js';
import { type TensorCoreKernelConfig, tensorCoreGemmWgsl } from './kernel-wgsl.js';
import { tileGemmWgsl } from './tile-wgsl.js';
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
    .replace(/subgroupBroadcastFirst(\(.+?\));/g, '$1;')
    .replace(/\bf16\(|roundF16\(/g, 'CONV(');
}

/** The tiled kernel from the chunk copies on (past the storage readers), with builtins mapped to placeholders. */
function canonicalTile(code: string): string {
  return code
    .slice(code.indexOf('fn loadChunk('))
    .replace(/ \+ u32\(uniforms\.batch < 0\)/g, '')
    .replace(/\((\d+u)\)/g, '$1')
    .replace(/subgroupMatrixLoad<(\w+)>\(&\w+, (.+?), false, (\w+)\)/g, 'LOAD_$1($2, $3)')
    .replace(/Emu(\w+)\((.+?), (\w+), (?:\d+u|arrayLength\(&\w+\))\)/g, 'LOAD_$1($2, $3)')
    .replace(/subgroupMatrixMultiplyAccumulate\(/g, 'MMA(')
    .replace(/emuMma_\w+\(/g, 'MMA(')
    .replace(/subgroupMatrixStore\(&(\w+), (.+?), (.+?), false, (\w+)\)/g, 'STORE_$1($2, $3, $4)')
    .replace(/emuStore_(\w+)\(/g, 'STORE_$1(')
    .replace(/\bf16\(([01])\.0\)/g, '$1.0')
    .replace(/subgroupBroadcastFirst(\(.+?\));/g, '$1;');
}

/** The direct kernel from `fn main` on, with builtins mapped to placeholders. */
function canonicalDirect(code: string): string {
  return code
    .slice(code.indexOf('fn main('))
    .replace(/ \+ u32\(uniforms\.batch < 0\)/g, '')
    .replace(/\((\d+u)\)/g, '$1')
    .replace(/subgroupMatrixLoad<(\w+)>\(&\w+, (.+?), false, (\w+)\)/g, 'LOAD_$1($2, $3)')
    .replace(/Emu(\w+)\((.+?), (\w+), false, (?:\d+u|arrayLength\(&\w+\))\)/g, 'LOAD_$1($2, $3)')
    .replace(/subgroupMatrixMultiplyAccumulate\(/g, 'MMA(')
    .replace(/emuMma_\w+\(/g, 'MMA(')
    .replace(/subgroupMatrixStore\(&(\w+), (.+?), (.+?), false, (\w+)\)/g, 'STORE_$1($2, $3, $4)')
    .replace(/emuStore_(\w+)\(/g, 'STORE_$1(')
    .replace(/\bf(16|32)\(([01])\.0\)/g, 'ST($2.0)')
    .replace(/subgroupBroadcastFirst(\(.+?\));/g, '$1;');
}

describe('one generator for the real and the emulated kernel', () => {
  const layouts = [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const;
  for (const name of TC_VARIANT_NAMES.filter((x) => !x.startsWith('direct') && !x.startsWith('tile'))) {
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

describe('the tiled kernel: one generator for the real and the emulated kernel', () => {
  for (const name of TC_VARIANT_NAMES.filter((x) => x.startsWith('tile'))) {
    for (const precision of ['f16', 'split-f16'] as const) {
      it(`${name} (${precision}): same code modulo the subgroup-matrix builtins`, () => {
        const base: Omit<TensorCoreKernelConfig, 'emulate'> = {
          ...variantFor(name, precision),
          transposeA: false,
          transposeB: false,
          bias: false,
        };
        const real = tileGemmWgsl({ ...base, emulate: false });
        const emulated = tileGemmWgsl({ ...base, emulate: true });
        expect(real).toMatch(/subgroupMatrixMultiplyAccumulate/);
        expect(emulated).not.toMatch(/subgroup\w*\(|subgroup_matrix|enable /);
        // no f32 -> f16 conversion in the real kernel: operands arrive as f16 and are copied
        expect(real).not.toMatch(/\bf16\((?![01]\.0\))/);
        const c = canonicalTile(real);
        for (const p of ['LOAD_LeftT(', 'LOAD_RightT(', 'MMA(', 'STORE_result(', 'workgroupBarrier']) {
          expect(c).toContain(p);
        }
        if (name.includes('-p') && precision === 'f16') {
          for (const p of ['LOAD_PLeftT(', 'LOAD_IdRightT(', 'STORE_Ps(']) expect(c).toContain(p);
        }
        expect(canonicalTile(emulated)).toBe(c);
      });
    }
  }
});

describe('the direct kernel: one generator for the real and the emulated kernel', () => {
  for (const name of TC_VARIANT_NAMES.filter((x) => x.startsWith('direct'))) {
    for (const precision of ['f16', 'split-f16'] as const) {
      it(`${name} (${precision}): same code modulo the subgroup-matrix builtins`, () => {
        const base: Omit<TensorCoreKernelConfig, 'emulate'> = {
          ...variantFor(name, precision),
          transposeA: false,
          transposeB: false,
          bias: false,
        };
        const real = directGemmWgsl({ ...base, emulate: false });
        const emulated = directGemmWgsl({ ...base, emulate: true });
        expect(real).toMatch(/subgroupMatrixMultiplyAccumulate/);
        expect(emulated).not.toMatch(/subgroup\w*\(|subgroup_matrix|enable /);
        const c = canonicalDirect(real);
        for (const p of ['LOAD_LeftT(', 'LOAD_RightT(', 'MMA(', 'STORE_result(']) expect(c).toContain(p);
        if (name.includes('-p') && precision === 'f16')
          for (const p of ['LOAD_PLeftT(', 'LOAD_IdRightT(', 'STORE_Ps(']) expect(c).toContain(p);
        expect(canonicalDirect(emulated)).toBe(c);
      });
    }
  }

  it("declares fragments in the spec's (columns, rows) order: left<K, M>, right<N, K>, result<N, M>", () => {
    const mma = { m: 16, n: 8, k: 16 } as const;
    expect(matrixType('left', 'f16', mma)).toEqual({ wgsl: 'subgroup_matrix_left<f16, 16, 16>', rows: 16, cols: 16 });
    expect(matrixType('right', 'f16', mma)).toEqual({ wgsl: 'subgroup_matrix_right<f16, 8, 16>', rows: 16, cols: 8 });
    expect(matrixType('result', 'f32', mma)).toEqual({ wgsl: 'subgroup_matrix_result<f32, 8, 16>', rows: 16, cols: 8 });
    const cfg: TensorCoreKernelConfig = {
      ...variantFor('direct-n8-f4x4', 'f16'),
      transposeA: false,
      transposeB: false,
      bias: false,
      emulate: false,
    };
    const code = standaloneDirectModule(cfg);
    expect(code).toContain('alias LeftT = subgroup_matrix_left<f16, 16, 16>;');
    expect(code).toContain('alias RightT = subgroup_matrix_right<f16, 8, 16>;');
    expect(code).toContain('alias AccT = subgroup_matrix_result<f32, 8, 16>;');
    expect(code.startsWith('enable f16;')).toBe(true);
  });
});
