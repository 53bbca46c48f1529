import { FusedOpError } from '../webgpu-program.js';
import { POW2_WGSL, ROUND_F16_WGSL } from './f16.js';
import { HOIST_MARK, SUBGROUP_SIZE, type TensorCoreKernelConfig } from './kernel-wgsl.js';

/*
 * The "direct" tensor-core GEMM: three programs around one subgroup-matrix kernel, with no workgroup memory.
 *   1. staging (per operand): op(A) and op(B) scaled by their row / column powers of two, rounded to f16 in f32
 *      bit arithmetic (roundF16; split mode: hi = roundF16(v), lo = roundF16(v - hi)), written zero-padded in one
 *      canonical layout: A16 [batchA][Mp][Kp] and B16 [batchB][Kp][Np], both row-major. The real kernel gets the
 *      f16 bits packed two per i32 (exact: the values are f16 values already), the emulation the f32 values.
 *   2. the matrix kernel: each subgroup loads its fragments straight from A16 / B16 (row-major loads, as the naive
 *      probe that reached 44-72 TFLOP/s) and stores its f32 accumulators, still scaled, into Cp [batch][Mp][Np].
 *   3. epilogue: C = Cp * 2^-(eA[i] + eB[j]) (+ bias), cropped to [batch, M, N].
 * Every f16 rounding happens in (1), in the same WGSL for the real and the emulated kernel, so the two see
 * bit-identical operands; (2) differs between them only in the subgroup-matrix types and builtins.
 *
 * Subgroup-matrix convention (the WGSL spec, gpuweb proposals/subgroup-matrix.md): subgroup_matrix_left<T, K, M>
 * is M rows x K columns, right<T, N, K> is K rows x N columns, result<T, N, M> is M rows x N columns: the template
 * arguments are (columns, rows). Loads / stores map element [r][c] to offset + r * stride + c (row-major) or
 * offset + c * stride + r (column-major), offset and stride in array elements. `matrixType` is the one place that
 * writes a type, and the emulation reads each fragment's rows and columns back from that same declaration, so a
 * swapped convention computes a wrong product in the emulation too (and fails CI).
 *
 * Uniformity: the tile origin comes from workgroupUniformLoad; with several subgroups per workgroup, each
 * subgroup's index is subgroupBroadcastFirst(localIndex / 32), uniform in WGSL's subgroup-scope analysis.
 */

export type MatrixKind = 'left' | 'right' | 'result';

export interface MatrixType {
  wgsl: string;
  rows: number;
  cols: number;
}

/** A subgroup-matrix type per the spec's (columns, rows) template order, with its rows / columns read back. */
export function matrixType(kind: MatrixKind, component: 'f16' | 'f32', mma: TensorCoreKernelConfig['mma']): MatrixType {
  const [cols, rows] = kind === 'left' ? [mma.k, mma.m] : kind === 'right' ? [mma.n, mma.k] : [mma.n, mma.m];
  const wgsl = `subgroup_matrix_${kind}<${component}, ${cols}, ${rows}>`;
  return parseMatrixType(wgsl);
}

/** Rows and columns of a declared subgroup-matrix type (template arguments: component, columns, rows). */
export function parseMatrixType(wgsl: string): MatrixType {
  const m = /^subgroup_matrix_(left|right|result)<(f16|f32), (\d+), (\d+)>$/.exec(wgsl);
  if (!m) throw new FusedOpError('tensorCoreGemm', `not a subgroup-matrix type: ${wgsl}`);
  return { wgsl, cols: Number(m[3]), rows: Number(m[4]) };
}

/** Padded sizes of the canonical operands: M, N to whole workgroup tiles, K to 16 (16-byte f16 rows). */
export function directPadding(
  c: TensorCoreKernelConfig,
  m: number,
  n: number,
  k: number,
): { mp: number; np: number; kp: number } {
  const bm = c.sgm * c.ti * c.mma.m;
  const bn = c.sgn * c.tj * c.mma.n;
  // the tiled kernel reads K in whole bk chunks
  const kStep = c.tiled ? Math.max(16, c.bk) : Math.max(16, c.mma.k);
  return { mp: Math.ceil(m / bm) * bm, np: Math.ceil(n / bn) * bn, kp: Math.ceil(k / kStep) * kStep };
}

export const DIRECT_UNIFORMS = ['Kp', 'Np', 'Mp', 'tilesM', 'tilesN', 'batch', 'aBatchStride', 'bBatchStride'] as const;

/** The matrix kernel (2.): inputs a16, b16 (+ a16lo, b16lo in split mode), output Cp [batch * Mp * Np] f32. */
export function directGemmWgsl(c: TensorCoreKernelConfig, convention: 'spec' | 'swapped' = 'spec'): string {
  const promote = c.accumulate === 'f16-promote';
  if (promote && (c.split || c.bk % c.mma.k !== 0)) {
    throw new FusedOpError('tensorCoreGemm', 'f16-promote: no split, and bk a multiple of mma.k');
  }
  const emu = c.emulate;
  const sgs = c.sgm * c.sgn;
  const T = SUBGROUP_SIZE * sgs;
  const { m: MM, n: MN, k: MK } = c.mma;
  const BM = c.sgm * c.ti * MM;
  const BN = c.sgn * c.tj * MN;
  const frags = c.ti * c.tj;
  // 'swapped' (tests only): the declarations with rows and columns exchanged, to show the emulation notices
  const decl = (kind: MatrixKind, comp: 'f16' | 'f32'): MatrixType => {
    const t = matrixType(kind, comp, c.mma);
    if (convention === 'spec') return t;
    return parseMatrixType(`subgroup_matrix_${kind}<${comp}, ${t.rows}, ${t.cols}>`);
  };
  const L = decl('left', 'f16');
  const R = decl('right', 'f16');
  const C = decl('result', 'f32');
  // f16-promote: f16 partial sums (result<f16>) promoted through workgroup memory as a left fragment of K = N,
  // times an N x N identity, into the f32 accumulators (WGSL has no conversion between matrix types)
  const pmma = { m: MM, n: MN, k: MN } as const;
  const C16 = parseMatrixType(C.wgsl.replace('<f32', '<f16'));
  const PL = matrixType('left', 'f16', pmma);
  const IR = matrixType('right', 'f16', pmma);
  const parts = c.split
    ? ([
        ['', ''],
        ['', 'lo'],
        ['lo', ''],
      ] as const)
    : ([['', '']] as const);
  const aParts = [...new Set(parts.map((p) => p[0]))];
  const bParts = [...new Set(parts.map((p) => p[1]))];
  const EMU_ZERO = 'u32(uniforms.batch < 0)';
  const lim = (x: number) => (emu ? `(${x}u + ${EMU_ZERO})` : `${x}u`);

  /** Element count of an array a fragment is loaded from or stored to (the emulation's robustness clamp). */
  const emuLength = (arr: string) =>
    arr === 'Ps' ? `${sgs * frags * MM * MN}u` : arr === 'Id' ? `${MN * MN}u` : `arrayLength(&${arr})`;
  const header: string[] = [];
  const emuFns: string[] = [];
  const load = (t: 'LeftT' | 'RightT' | 'PLeftT' | 'IdRightT', arr: string, off: string, stride: string) =>
    emu
      ? `Emu${t}(${off}, ${stride}, false, ${emuLength(arr)})`
      : `subgroupMatrixLoad<${t}>(&${arr}, ${off}, false, ${stride})`;
  const mma = (l: string, r: string, acc: string, lArr: string, rArr: string) =>
    emu ? `emuMma_${lArr}_${rArr}(${l}, ${r}, ${acc})` : `subgroupMatrixMultiplyAccumulate(${l}, ${r}, ${acc})`;
  const store = fragmentStore(emu);
  if (!emu) {
    header.push(...fragmentTypeHeader(sgs, { L, R, C, C16, PL, IR }, promote));
  } else {
    // a fragment = where it lives, with the rows and columns of its declared type
    header.push(
      'struct EmuMat { off : u32, stride : u32, col : bool, rows : u32, cols : u32 }',
      // Tint's robustness: the stride at least the major dimension's minimum; a fragment that would end past its
      // array is read (or written) at offset 0 with the minimum stride
      `fn emuClamp(off : u32, stride : u32, col : bool, len : u32, rows : u32, cols : u32) -> EmuMat {
        let minStride = select(cols, rows, col);
        let major = select(rows, cols, col);
        let st = max(stride, minStride);
        if (off + st * (major - 1u) + minStride > len) { return EmuMat(0u, minStride, col, rows, cols); }
        return EmuMat(off, st, col, rows, cols);
      }`,
      `fn EmuLeftT(off : u32, stride : u32, col : bool, len : u32) -> EmuMat { return emuClamp(off, stride, col, len, ${L.rows}u, ${L.cols}u); }`,
      `fn EmuRightT(off : u32, stride : u32, col : bool, len : u32) -> EmuMat { return emuClamp(off, stride, col, len, ${R.rows}u, ${R.cols}u); }`,
      `fn EmuPLeftT(off : u32, stride : u32, col : bool, len : u32) -> EmuMat { return emuClamp(off, stride, col, len, ${PL.rows}u, ${PL.cols}u); }`,
      `fn EmuIdRightT(off : u32, stride : u32, col : bool, len : u32) -> EmuMat { return emuClamp(off, stride, col, len, ${IR.rows}u, ${IR.cols}u); }`,
      'alias LeftT = EmuMat;',
      'alias RightT = EmuMat;',
      'alias PLeftT = EmuMat;',
      'alias IdRightT = EmuMat;',
      `alias AccT = array<f32, ${(C.rows * C.cols) / SUBGROUP_SIZE}>;`,
      `alias Acc16T = array<f32, ${(C16.rows * C16.cols) / SUBGROUP_SIZE}>;`,
      ROUND_F16_WGSL,
      `fn emuIdx(m : EmuMat, r : u32, c : u32) -> u32 {
        return select(m.off + r * m.stride + c, m.off + c * m.stride + r, m.col);
      }`,
    );
    // lane l owns result elements l, l + 32, ... (row-major over the result type's rows x columns); an f16
    // accumulator rounds each MMA_K-deep sum into it
    const pairs: [string, string, boolean][] = parts.map(([pa, pb]) => [`a16${pa}`, `b16${pb}`, promote]);
    if (promote) pairs.push(['Ps', 'Id', false]);
    for (const [la, rb, f16] of pairs) {
      emuFns.push(`
    fn emuMma_${la}_${rb}(l : EmuMat, r : EmuMat, acc : AccT) -> AccT {
      var out = acc;
      let lane = localIndex % ${SUBGROUP_SIZE}u;
      let z = ${EMU_ZERO};
      for (var q = 0u; q < ${(C.rows * C.cols) / SUBGROUP_SIZE}u + z; q++) {
        let e = q * ${SUBGROUP_SIZE}u + lane;
        let row = e / ${C.cols}u;
        let col = e % ${C.cols}u;
        var s = 0.0;
        for (var kk = 0u; kk < l.cols + z; kk++) {
          s = s + ${la}[emuIdx(l, row, kk)] * ${rb}[emuIdx(r, kk, col)];
        }
        out[q] = ${f16 ? 'roundF16(out[q] + s)' : 'out[q] + s'};
      }
      return out;
    }`);
    }
    for (const arr of ['result', ...(promote ? ['Ps'] : [])]) {
      emuFns.push(`
    fn emuStore_${arr}(offset : u32, v : AccT, st : u32) {
      let m = emuClamp(offset, st, false, ${emuLength(arr)}, ${C.rows}u, ${C.cols}u);
      let off = m.off;
      let stride = m.stride;
      let lane = localIndex % ${SUBGROUP_SIZE}u;
      for (var q = 0u; q < ${(C.rows * C.cols) / SUBGROUP_SIZE}u + ${EMU_ZERO}; q++) {
        let e = q * ${SUBGROUP_SIZE}u + lane;
        ${arr}[off + (e / ${C.cols}u) * stride + e % ${C.cols}u] = v[q];
      }
    }`);
    }
  }
  const sgIndex = sgs > 1 ? `${emu ? '' : 'subgroupBroadcastFirst'}(localIndex / ${SUBGROUP_SIZE}u)` : '0u';
  const body: string[] = [];
  body.push(`for (var k = 0u; k < kp; k += ${MK}u) {`);
  for (const pa of aParts) {
    body.push(`  var fa${pa} : array<LeftT, ${c.ti}>;`);
    body.push(`  for (var i = 0u; i < ${lim(c.ti)}; i++) {`);
    body.push(`    fa${pa}[i] = ${load('LeftT', `a16${pa}`, `aBase + i * ${MM}u * kp + k`, 'kp')};`);
    body.push('  }');
  }
  body.push(`  for (var j = 0u; j < ${lim(c.tj)}; j++) {`);
  for (const pb of bParts) {
    body.push(`    let fb${pb} = ${load('RightT', `b16${pb}`, `bBase + k * np + j * ${MN}u`, 'np')};`);
  }
  body.push(`    for (var i = 0u; i < ${lim(c.ti)}; i++) {`);
  const accName = promote ? 'acc16' : 'acc';
  for (const [pa, pb] of parts) {
    body.push(
      `      ${accName}[i * ${c.tj}u + j] = ${mma(`fa${pa}[i]`, `fb${pb}`, `${accName}[i * ${c.tj}u + j]`, `a16${pa}`, `b16${pb}`)};`,
    );
  }
  body.push('    }', '  }');
  if (promote) {
    // every bk of K (and at its end): f16 partial sums -> Ps -> left fragment x identity -> f32 accumulators
    // (the condition depends on k only: uniform)
    body.push(
      `  if ((k + ${MK}u) % ${c.bk}u == 0u || k + ${MK}u >= kp) {`,
      `    for (var f = 0u; f < ${lim(frags)}; f++) { ${store('Ps', `pBase + f * ${MM * MN}u`, 'acc16[f]', `${MN}u`)}; }`,
      '    workgroupBarrier();',
      `    let idR = ${load('IdRightT', 'Id', '0u', `${MN}u`)};`,
      `    for (var f = 0u; f < ${lim(frags)}; f++) {`,
      `      let pl = ${load('PLeftT', 'Ps', `pBase + f * ${MM * MN}u`, `${MN}u`)};`,
      `      acc[f] = ${mma('pl', 'idR', 'acc[f]', 'Ps', 'Id')};`,
      '      acc16[f] = Acc16T();',
      '    }',
      '    workgroupBarrier();',
      '  }',
    );
  }
  body.push('}');
  const ST = emu ? 'f32' : 'f16';
  const promoteDecls = promote
    ? `var<workgroup> Ps : array<${ST}, ${sgs * frags * MM * MN}>;
    var<workgroup> Id : array<${ST}, ${MN * MN}>;`
    : '';
  const promoteInit = promote
    ? `for (var x = localIndex; x < ${MN * MN}u; x += ${T}u) { Id[x] = select(${ST}(0.0), ${ST}(1.0), x / ${MN}u == x % ${MN}u); }
      var acc16 : array<Acc16T, ${frags}>;
      let pBase = sg * ${frags * MM * MN}u;`
    : '';

  return `
    ${header.join('\n    ')}
    var<workgroup> wgTile : i32;
    ${promoteDecls}
    ${emuFns.join('\n')}
    fn main(index : i32) {
      ${tileOriginWgsl(T)}
      let sg = ${sgIndex};
      let row0 = tm * ${BM}u + (sg / ${c.sgn}u) * ${c.ti * MM}u;
      let col0 = tn * ${BN}u + (sg % ${c.sgn}u) * ${c.tj * MN}u;
      let aBase = bt * u32(uniforms.aBatchStride) + row0 * kp;
      let bBase = bt * u32(uniforms.bBatchStride) + col0;
      var acc : array<AccT, ${frags}>;
      ${promoteInit}
      ${body.join('\n      ')}
      if (valid) {
        let cBase = bt * u32(uniforms.Mp) * np + row0 * np + col0;
        for (var i = 0u; i < ${lim(c.ti)}; i++) {
          for (var j = 0u; j < ${lim(c.tj)}; j++) {
            ${store('result', `cBase + i * ${MM}u * np + j * ${MN}u`, `acc[i * ${c.tj}u + j]`, 'np')};
          }
        }
      }
    }`;
}

export const STAGE_UNIFORMS = [
  'R',
  'C',
  'Rp',
  'Cp',
  'rowStride',
  'colStride',
  'batchStride',
  'scaleBatch',
  'count',
] as const;

/**
 * Staging (1.): output element (b, r, c) of a [batches][Rp][Cp] operand = roundF16(x[b * batchStride +
 * r * rowStride + c * colStride] * 2^e) (or its lo part), 0 outside [R, C]; e = scale[b * scaleBatch + (r or c)].
 * Emulated: one f32 per element; real: two f16 per i32 (little-endian: element 2i in the low half).
 */
export function stageWgsl(scaleAlong: 'row' | 'col', part: 'hi' | 'lo', emulate: boolean): string {
  const value = (el: string) => `
      let ${el}r = ${el}i / uniforms.Cp;
      let ${el}c = ${el}i % uniforms.Cp;
      let ${el}b = ${el}r / uniforms.Rp;
      let ${el}rr = ${el}r % uniforms.Rp;
      var ${el} = 0.0;
      if (${el}rr < uniforms.R && ${el}c < uniforms.C) {
        let src = ${el}b * uniforms.batchStride + ${el}rr * uniforms.rowStride + ${el}c * uniforms.colStride;
        let e = scale[${el}b * uniforms.scaleBatch + ${scaleAlong === 'row' ? `${el}rr` : `${el}c`}];
        let v = x[src] * pow2(i32(e));
        let hi = roundF16(v);
        ${el} = ${part === 'hi' ? 'hi' : 'roundF16(v - hi)'};
      }`;
  if (emulate) {
    return `
    ${POW2_WGSL}
    ${ROUND_F16_WGSL}
    fn main(index : i32) {
      if (index >= uniforms.count) { return; }
      let v0i = index;
      ${value('v0')}
      result[index] = v0;
    }`;
  }
  return `
    ${POW2_WGSL}
    ${ROUND_F16_WGSL}
    // binary16 bits of an f32 that holds an f16 value (exact: no rounding left to do)
    fn f16Bits(v : f32) -> u32 {
      let b = bitcast<u32>(v);
      let s = (b >> 16u) & 0x8000u;
      let a = b & 0x7fffffffu;
      if (a > 0x7f800000u) { return s | 0x7e00u; }
      if (a >= 0x47800000u) { return s | 0x7c00u; }
      if (a < 0x38800000u) { return s | u32(bitcast<f32>(a) * 16777216.0); }
      return s | ((a - 0x38000000u) >> 13u);
    }
    fn main(index : i32) {
      if (index >= uniforms.count) { return; }
      let v0i = index * 2;
      let v1i = index * 2 + 1;
      ${value('v0')}
      ${value('v1')}
      result[index] = bitcast<i32>(f16Bits(v0) | (f16Bits(v1) << 16u));
    }`;
}

export const EPILOGUE_UNIFORMS = [
  'M',
  'N',
  'Mp',
  'Np',
  'sABatch',
  'sBBatch',
  'biasSB',
  'biasSM',
  'biasSN',
  'count',
] as const;

/** Epilogue (3.): result[b][i][j] = cp[b][i][j] * 2^-eA * 2^-eB (+ bias), for [batch, M, N]. */
export function epilogueWgsl(bias: boolean): string {
  const biasAdd = bias ? ' + bias[b * uniforms.biasSB + i * uniforms.biasSM + j * uniforms.biasSN]' : '';
  return `
    ${POW2_WGSL}
    fn main(index : i32) {
      if (index >= uniforms.count) { return; }
      let j = index % uniforms.N;
      let i = (index / uniforms.N) % uniforms.M;
      let b = index / (uniforms.N * uniforms.M);
      let v = cp[(b * uniforms.Mp + i) * uniforms.Np + j] * pow2(-i32(scaleA[b * uniforms.sABatch + i]))
        * pow2(-i32(scaleB[b * uniforms.sBBatch + j]));
      result[index] = v${biasAdd};
    }`;
}

/** Marks inputs whose `array<i32>` declaration the real kernel reads as `array<f16>` (hoistShaderDirectives). */
export const F16_INPUT_MARK = '// magic-f16-input';

/** The matrix kernel for tfjs' program wrapper: the real one marks its packed inputs as f16 arrays. */
export function directGemmUserCode(c: TensorCoreKernelConfig): string {
  const code = directGemmWgsl(c);
  if (c.emulate) return code;
  const inputs = ['a16', 'b16', ...(c.split ? ['a16lo', 'b16lo'] : [])];
  return `${inputs.map((x) => `${F16_INPUT_MARK} ${x}`).join('\n')}\n${code}`;
}

/** Rewrites `var<storage, read> NAME : array<i32>` to `array<f16>` for each input marked F16_INPUT_MARK. */
export function retypeF16Inputs(code: string): string {
  if (!code.includes(F16_INPUT_MARK)) return code;
  let out = code;
  for (const m of code.matchAll(new RegExp(`${F16_INPUT_MARK} (\\w+)`, 'g'))) {
    out = out.replace(new RegExp(`(var<storage, read>\\s+${m[1]}\\s*:\\s*array<)i32>`), '$1f16>');
  }
  return out;
}

/** The real (not emulated) kernels' directives, hoisted by tfjs's wrapper, and their fragment type aliases. */
export function subgroupMatrixHeader(subgroups: number, aliases: Readonly<Record<string, string>>): string[] {
  const header = [`enable f16; ${HOIST_MARK}`, `enable chromium_experimental_subgroup_matrix; ${HOIST_MARK}`];
  // several subgroups share a workgroup: the tile origin comes from subgroupBroadcastFirst, uniform in practice
  if (subgroups > 1)
    header.push(
      `enable subgroups; ${HOIST_MARK}`,
      `diagnostic(off, chromium.subgroup_matrix_uniformity); ${HOIST_MARK}`,
    );
  for (const [name, wgsl] of Object.entries(aliases)) header.push(`alias ${name} = ${wgsl};`);
  return header;
}

/** The WGSL types of one kernel's fragments: operands, accumulator, and the promotion's f16 accumulator and identity. */
export interface FragmentTypes {
  L: { wgsl: string };
  R: { wgsl: string };
  C: { wgsl: string };
  C16: { wgsl: string };
  PL: { wgsl: string };
  IR: { wgsl: string };
}

/** Header with the fragment type aliases both matrix kernels declare (the promotion's three only when it is on). */
export function fragmentTypeHeader(subgroups: number, t: FragmentTypes, promote: boolean): string[] {
  return subgroupMatrixHeader(subgroups, {
    LeftT: t.L.wgsl,
    RightT: t.R.wgsl,
    AccT: t.C.wgsl,
    ...(promote ? { Acc16T: t.C16.wgsl, PLeftT: t.PL.wgsl, IdRightT: t.IR.wgsl } : {}),
  });
}

/** WGSL storing an accumulator fragment: the hardware builtin, or the emulation's store for that array. */
export function fragmentStore(emu: boolean): (arr: string, off: string, v: string, stride: string) => string {
  return (arr, off, v, stride) =>
    emu ? `emuStore_${arr}(${off}, ${v}, ${stride})` : `subgroupMatrixStore(&${arr}, ${off}, ${v}, false, ${stride})`;
}

/**
 * The prologue both matrix kernels share: the workgroup's output tile (tn, tm) and batch (bt) from a
 * workgroup-uniform value, since subgroup-matrix offsets must be uniform; `valid` is false past the last tile.
 */
export function tileOriginWgsl(T: number): string {
  return `if (localIndex == 0u) { wgTile = index / ${T}; }
      let grp = workgroupUniformLoad(&wgTile);
      let total = uniforms.tilesN * uniforms.tilesM * uniforms.batch;
      let valid = grp < total;
      let g = u32(min(grp, total - 1));
      let tn = g % u32(uniforms.tilesN);
      let tm = (g / u32(uniforms.tilesN)) % u32(uniforms.tilesM);
      let bt = g / u32(uniforms.tilesN * uniforms.tilesM);
      let kp = u32(uniforms.Kp);
      let np = u32(uniforms.Np);`;
}

/** The matrix kernel as a self-contained module (bindings and entry point as tfjs adds them): compile checks. */
export function standaloneDirectModule(c: TensorCoreKernelConfig, convention: 'spec' | 'swapped' = 'spec'): string {
  return standaloneF16Module(c, directGemmWgsl(c, convention), DIRECT_UNIFORMS);
}

/**
 * A kernel over the f16 operand buffers (a16, b16 and the split lo parts) as a self-contained module, with the
 * bindings, uniforms and entry point tfjs would add around `code` (hoisted directives first).
 */
export function standaloneF16Module(c: TensorCoreKernelConfig, code: string, uniformNames: readonly string[]): string {
  const T = SUBGROUP_SIZE * c.sgm * c.sgn;
  const lines = code.split('\n');
  const directives = lines.filter((l) => l.includes(HOIST_MARK)).map((l) => l.trim());
  const body = lines.filter((l) => !l.includes(HOIST_MARK)).join('\n');
  const el = c.emulate ? 'f32' : 'f16';
  const inputs = ['a16', 'b16', ...(c.split ? ['a16lo', 'b16lo'] : [])];
  return [
    ...directives,
    `struct Uniforms { ${uniformNames.map((u) => `${u} : i32`).join(', ')} };`,
    '@group(0) @binding(0) var<storage, read_write> result : array<f32>;',
    ...inputs.map((x, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${x} : array<${el}>;`),
    `@group(0) @binding(${inputs.length + 1}) var<uniform> uniforms : Uniforms;`,
    'var<private> localIndex : u32;',
    body,
    `@compute @workgroup_size(${T}, 1, 1)`,
    'fn _start(@builtin(local_invocation_index) li : u32, @builtin(workgroup_id) wg : vec3<u32>) {',
    '  localIndex = li;',
    `  main(i32(wg.x) * ${T} + i32(li));`,
    '}',
  ].join('\n');
}
