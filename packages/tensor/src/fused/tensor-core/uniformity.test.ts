import { describe, expect, it } from 'vitest';
import { directGemmWgsl } from './direct-wgsl.js';
import { type TensorCoreKernelConfig, tensorCoreGemmWgsl } from './kernel-wgsl.js';
import { tileGemmWgsl } from './tile-wgsl.js';
import { TC_VARIANT_NAMES, variantFor } from './variants.js';

/*
 * WGSL's rule for subgroup matrices: the pointer, offset and stride of subgroupMatrixLoad / Store must be subgroup
 * uniform (an offset computed from an invocation's index fails with "'subgroupMatrixStore' requires argument 1 to
 * be uniform" on the GPU, and the emulation cannot notice). A taint analysis over the real kernels' `let` / `var`
 * definitions: values derived from the invocation index (localIndex, index, lane, tid) are non-uniform, except
 * through workgroupUniformLoad (the tile) and subgroupBroadcastFirst (the subgroup index); no matrix builtin's
 * argument may mention a non-uniform name.
 */

const SOURCES = ['localIndex', 'index', 'lane', 'tid'];
const UNIFORMIZERS = /workgroupUniformLoad|subgroupBroadcastFirst/;

/** Names whose value varies across the invocations of a subgroup. */
function nonUniformNames(code: string): Set<string> {
  const defs = [...code.matchAll(/\b(?:let|var)\s+(\w+)\s*(?::[^=;]+)?=\s*([^;]+);/g)].map((m) => ({
    name: m[1] ?? '',
    expr: m[2] ?? '',
  }));
  const tainted = new Set(SOURCES);
  for (let changed = true; changed; ) {
    changed = false;
    for (const { name, expr } of defs) {
      if (tainted.has(name) || UNIFORMIZERS.test(expr)) continue;
      const ids = expr.match(/\b[A-Za-z_]\w*\b/g) ?? [];
      if (ids.some((x) => tainted.has(x))) {
        tainted.add(name);
        changed = true;
      }
    }
  }
  return tainted;
}

/** The argument lists of every subgroup-matrix load and store in the code. */
function matrixCallArgs(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/subgroupMatrix(?:Load<\w+>|Store)\(/g)) {
    let depth = 1;
    let i = (m.index ?? 0) + m[0].length;
    const start = i;
    for (; i < code.length && depth > 0; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')') depth--;
    }
    out.push(code.slice(start, i - 1));
  }
  return out;
}

/** Each function's text (names are analysed per function: helpers reuse short names such as i or row). */
function functions(code: string): string[] {
  const starts = [...code.matchAll(/\bfn \w+\s*\(/g)].map((m) => m.index ?? 0);
  return starts.map((s, i) => code.slice(s, starts[i + 1] ?? code.length));
}

function checkUniform(code: string) {
  let calls = 0;
  for (const fn of functions(code)) {
    const tainted = nonUniformNames(fn);
    for (const args of matrixCallArgs(fn)) {
      calls++;
      const bad = (args.match(/\b[A-Za-z_]\w*\b/g) ?? []).filter((x) => tainted.has(x));
      expect(bad, `non-uniform names in (${args})`).toEqual([]);
    }
  }
  expect(calls).toBeGreaterThan(0);
}

const base = (name: (typeof TC_VARIANT_NAMES)[number], precision: 'f16' | 'split-f16') => ({
  ...variantFor(name, precision),
  transposeA: false,
  transposeB: true,
  bias: false,
  emulate: false,
});

describe('subgroup-matrix offsets and strides are subgroup-uniform in every real kernel', () => {
  for (const name of TC_VARIANT_NAMES) {
    for (const precision of ['f16', 'split-f16'] as const) {
      it(`${name} (${precision})`, () => {
        const c: TensorCoreKernelConfig = base(name, precision);
        const gen = c.tiled ? tileGemmWgsl : c.direct ? directGemmWgsl : tensorCoreGemmWgsl;
        checkUniform(gen(c));
      });
    }
  }

  it('the analysis flags an offset derived from the invocation index', () => {
    const bad = `fn main(index : i32) {
      let row = localIndex / 32u;
      let off = row * 16u + 4u;
      subgroupMatrixStore(&Cs, off, acc, false, 8u);
    }`;
    expect(() => checkUniform(bad)).toThrow(/non-uniform names/);
    const good = `fn main(index : i32) {
      let sg = subgroupBroadcastFirst(localIndex / 32u);
      let off = sg * 128u;
      subgroupMatrixStore(&Cs, off, acc, false, 8u);
    }`;
    expect(() => checkUniform(good)).not.toThrow();
  });
});
