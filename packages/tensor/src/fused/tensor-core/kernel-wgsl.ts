import { POW2_WGSL, ROUND_F16_WGSL } from './f16.js';
import {
  kernelShape,
  PAD,
  SUBGROUP_SIZE,
  TC_UNIFORMS,
  type TensorCoreKernelConfig,
  validateKernelConfig,
} from './kernel-config.js';

/*
 * WGSL generator of the tensor-core GEMM: C[b] = op(A[b]) · op(B[b]) (+ bias), f32 in and out, through WGSL
 * subgroup matrices (`chromium_experimental_subgroup_matrix`, f16 operands).
 *
 * A workgroup of SGM x SGN subgroups (32 invocations each) computes a BM x BN tile of C, each subgroup a grid of
 * TI x TJ fragments of MMA_M x MMA_N. K goes through workgroup memory in BK-deep chunks: every invocation loads its
 * share of the chunk from global memory, multiplies it by the row (A) or column (B) power-of-two scale, converts it
 * to f16 (split mode: a hi and a lo part) and stores it; the operand keeps its global layout in workgroup memory
 * (transposed operands are read with column-major subgroup-matrix loads), so the global reads stay coalesced.
 * Double buffering: the next chunk is loaded into registers before the current one is multiplied and stored into
 * the other buffer after it (one barrier per chunk). Accumulation: 'f32' (f16 x f16 -> f32 matrix ops) or
 * 'f16-promote' (f16 x f16 -> f16 over one chunk, then added into the f32 accumulators by one more matrix op with
 * an identity right operand: WGSL has no element-wise conversion of subgroup matrices). Epilogue: each fragment is
 * stored into workgroup memory, unscaled by 2^-(eA[i] + eB[j]), biased and written with bounds checks.
 *
 * `emulate`: the same kernel with every subgroup-matrix type and builtin replaced by scalar WGSL (each lane owns
 * MMA_M * MMA_N / 32 elements of a fragment; left/right fragments are views of workgroup memory), f16 conversions
 * by roundF16 in f32 arithmetic (no `shader-f16` needed). It runs on any adapter (the software one in CI) and
 * shares every other line with the real kernel.
 *
 * Uniformity: subgroup-matrix builtins need subgroup-uniform pointers, offsets and control flow. The tile origin
 * comes from workgroupUniformLoad (the workgroup index written by invocation 0); with one subgroup per workgroup
 * every offset is uniform. With several, each subgroup's index is subgroupBroadcastFirst(localIndex / 32) (uniform
 * in WGSL's subgroup-scope analysis), and the module also turns the `chromium.subgroup_matrix_uniformity`
 * diagnostic off for Dawns without that analysis (the index is the subgroup's when the subgroup size is 32 and
 * subgroups are linear in localIndex, as on NVIDIA: the caller checks the adapter's subgroup sizes).
 */

export {
  type KernelShape,
  kernelKey,
  kernelShape,
  SUBGROUP_SIZE,
  TC_UNIFORMS,
  type TensorCoreKernelConfig,
  validateKernelConfig,
} from './kernel-config.js';

/** Lines of a tensor-core kernel that must open the WGSL module; moved there by hoistShaderDirectives. */
export const HOIST_MARK = '// magic-hoist';

/**
 * The kernel's user code for tfjs' program wrapper (fn main(index)); inputs a, b, scaleA, scaleB[, bias]
 * (scales: f32 exponents per row of op(A) / column of op(B), per batch), output [batch, M, N].
 */
export function tensorCoreGemmWgsl(c: TensorCoreKernelConfig): string {
  validateKernelConfig(c);
  const { bm: BM, bn: BN, threads: T } = kernelShape(c);
  const { m: MM, n: MN, k: MK } = c.mma;
  const BK = c.bk;
  const E = (MM * MN) / SUBGROUP_SIZE;
  const frags = c.ti * c.tj;
  const sgs = c.sgm * c.sgn;
  const LDA = c.transposeA ? BM + PAD : BK + PAD;
  const LDB = c.transposeB ? BK + PAD : BN + PAD;
  const SA = c.transposeA ? BK * LDA : BM * LDA;
  const SB = c.transposeB ? BN * LDB : BK * LDB;
  const bufs = c.doubleBuffer ? 2 : 1;
  const promote = c.accumulate === 'f16-promote';
  const parts = c.split ? ['', 'Lo'] : [''];
  const PA = (BM * BK) / T;
  const PB = (BN * BK) / T;
  const emu = c.emulate;

  // ---- the two implementations of subgroup-matrix types and builtins (everything else is shared) ----
  const header: string[] = [];
  // a run-time zero from a uniform (so also workgroup-uniform: loops with barriers stay uniform)
  const EMU_ZERO = 'u32(uniforms.M < 0)';
  /** A loop bound; in the emulation plus a run-time zero, so llvmpipe keeps the loop (unrolled, compiles crawl). */
  const lim = (x: number) => (emu ? `(${x}u + ${EMU_ZERO})` : `${x}u`);
  const limI = (x: number) => (emu ? `(${x} + i32(${EMU_ZERO}))` : `${x}`);
  /** Emulated matrix ops by (left array, right array, f16 accumulation): one scalar function each. */
  const emuPairs = new Map<string, [string, string, boolean]>();
  /** A left (row = m, col = k) or right (row = k, col = n) fragment of `arr` at `off` with `stride`. */
  const load = (
    kind: 'Left' | 'Right' | 'PLeft' | 'IdRight',
    arr: string,
    off: string,
    col: boolean,
    stride: number,
  ) =>
    emu ? `EmuMat(${off}, ${stride}u, ${col})` : `subgroupMatrixLoad<${kind}T>(&${arr}, ${off}, ${col}, ${stride}u)`;
  const mma = (l: string, r: string, acc: string, lArr: string, rArr: string, kdim: number, f16: boolean) => {
    if (!emu) return `subgroupMatrixMultiplyAccumulate(${l}, ${r}, ${acc})`;
    const fn = `emuMma${lArr}${rArr}${f16 ? '16' : ''}`;
    emuPairs.set(fn, [lArr, rArr, f16]);
    return `${fn}(${l}, ${r}, ${acc}, ${kdim}u)`;
  };
  const store = (arr: string, off: string, v: string, stride: number) =>
    emu ? `emuStore${arr}(${off}, ${v}, ${stride}u)` : `subgroupMatrixStore(&${arr}, ${off}, ${v}, false, ${stride}u)`;
  // rounding in f32 bit arithmetic in both kernels (then an exact conversion): the GPU's f32 -> f16 -> f32
  // round trip in the split's lo part is not trusted to round (the first GPU run saw lo parts of zero)
  const stage = (x: string) => `ST(roundF16(${x}))`;

  if (!emu) {
    header.push(`enable f16; ${HOIST_MARK}`, `enable chromium_experimental_subgroup_matrix; ${HOIST_MARK}`);
    // the rule lives in the `chromium` namespace (`chromium_experimental.` was ignored: the first GPU run's error)
    if (sgs > 1) {
      header.push(`enable subgroups; ${HOIST_MARK}`);
      header.push(`diagnostic(off, chromium.subgroup_matrix_uniformity); ${HOIST_MARK}`);
    }
    header.push(
      ROUND_F16_WGSL,
      'alias ST = f16;',
      `alias LeftT = subgroup_matrix_left<f16, ${MK}, ${MM}>;`,
      `alias RightT = subgroup_matrix_right<f16, ${MN}, ${MK}>;`,
      `alias AccT = subgroup_matrix_result<f32, ${MN}, ${MM}>;`,
      `alias Acc16T = subgroup_matrix_result<f16, ${MN}, ${MM}>;`,
      `alias PLeftT = subgroup_matrix_left<f16, ${MN}, ${MM}>;`,
      `alias IdRightT = subgroup_matrix_right<f16, ${MN}, ${MN}>;`,
    );
  } else {
    header.push(
      'alias ST = f32;',
      'struct EmuMat { off : u32, stride : u32, col : bool }',
      'alias LeftT = EmuMat;',
      'alias RightT = EmuMat;',
      'alias PLeftT = EmuMat;',
      'alias IdRightT = EmuMat;',
      `alias AccT = array<f32, ${E}>;`,
      `alias Acc16T = array<f32, ${E}>;`,
      ROUND_F16_WGSL,
    );
  }

  // ---- workgroup memory ----
  const decls: string[] = [];
  for (const p of parts) {
    decls.push(`var<workgroup> As${p} : array<ST, ${bufs * SA}>;`, `var<workgroup> Bs${p} : array<ST, ${bufs * SB}>;`);
  }
  decls.push(`var<workgroup> Cs : array<f32, ${sgs * MM * MN}>;`);
  if (promote) {
    decls.push(
      `var<workgroup> Ps : array<ST, ${sgs * frags * MM * MN}>;`,
      `var<workgroup> Id : array<ST, ${MN * MN}>;`,
    );
  }
  decls.push('var<workgroup> wgTile : i32;');
  // the tile's origin and operand bases (set once in main; read by the staging functions)
  for (const x of ['tOriginA', 'tOriginB', 'tBaseA', 'tBaseB', 'sBaseA', 'sBaseB']) {
    decls.push(`var<private> ${x} : i32;`);
  }

  // ---- staging: global -> registers (scaled f32) -> workgroup memory (f16) ----
  const stageFns = (name: 'A' | 'B'): string => {
    const isA = name === 'A';
    const t = isA ? c.transposeA : c.transposeB;
    const P = isA ? PA : PB;
    const O = isA ? BM : BN;
    const LD = isA ? LDA : LDB;
    // operand element (o, k), o = m or n: contiguous along o when A is transposed / B is not
    const alongO = isA ? t : !t;
    const [r, q] = alongO ? [`u / ${O}`, `u % ${O}`] : [`u / ${BK}`, `u % ${BK}`];
    const [o, kk] = alongO ? [q, r] : [r, q];
    const outer = isA ? 'uniforms.M' : 'uniforms.N';
    const idx = alongO ? `tBase${name} + gk * ${outer} + go` : `tBase${name} + go * uniforms.K + gk`;
    const src = name.toLowerCase();
    const reg = `p${src}`;
    const arr = `${name}s`;
    const at = `dest + u32(${r}) * ${LD}u + u32(${q})`;
    const put = c.split
      ? `let hi = ${stage(`${reg}[p]`)}; ${arr}[i] = hi; ${arr}Lo[i] = ${stage(`${reg}[p] - f32(hi)`)};`
      : `${arr}[i] = ${stage(`${reg}[p]`)};`;
    return `
    var<private> ${reg} : array<f32, ${P}>;
    // chunk at k0 of op(${name}) -> registers, scaled by the row / column power of two
    fn load${name}(k0 : i32) {
      for (var p = 0; p < ${limI(P)}; p++) {
        let u = i32(localIndex) + p * ${T};
        let go = tOrigin${name} + ${o};
        let gk = k0 + ${kk};
        // out-of-range elements read index 0 (no arrayLength: the direct and tiled kernels, correct on the GPU,
        // use none, so the staged kernel's wrong products cannot come from it)
        let ok = go < ${outer} && gk < uniforms.K;
        let v = ${src}[select(0, ${idx}, ok)] * pow2(i32(scale${name}[select(0, sBase${name} + go, ok)]));
        ${reg}[p] = select(0.0, v, ok);
      }
    }
    // registers -> workgroup memory at element offset dest, converted to f16${c.split ? ' (hi and lo parts)' : ''}
    fn store${name}(dest : u32) {
      for (var p = 0; p < ${limI(P)}; p++) {
        let u = i32(localIndex) + p * ${T};
        let i = ${at};
        ${put}
      }
    }`;
  };

  // ---- one chunk of matrix ops on buffer `cur` ----
  const accName = promote ? 'acc16' : 'acc';
  const products: [string, string][] = c.split
    ? [
        ['', ''],
        ['', 'Lo'],
        ['Lo', ''],
      ]
    : [['', '']];
  const compute: string[] = [];
  compute.push(`for (var ks = 0u; ks < ${lim(BK / MK)}; ks++) {`);
  for (const pa of [...new Set(products.map((x) => x[0]))]) {
    compute.push(`  var fa${pa} : array<LeftT, ${c.ti}>;`);
    compute.push(`  for (var i = 0u; i < ${lim(c.ti)}; i++) {`);
    compute.push('    let row = sgRow + i * 16u;');
    const off = c.transposeA ? `aCur + ks * ${MK * LDA}u + row` : `aCur + row * ${LDA}u + ks * ${MK}u`;
    compute.push(`    fa${pa}[i] = ${load('Left', `As${pa}`, off, c.transposeA, LDA)};`);
    compute.push('  }');
  }
  compute.push(`  for (var j = 0u; j < ${lim(c.tj)}; j++) {`);
  compute.push(`    let col = sgCol + j * ${MN}u;`);
  const offB = c.transposeB ? `bCur + col * ${LDB}u + ks * ${MK}u` : `bCur + ks * ${MK * LDB}u + col`;
  for (const pb of [...new Set(products.map((x) => x[1]))]) {
    compute.push(`    let fb${pb} = ${load('Right', `Bs${pb}`, offB, c.transposeB, LDB)};`);
  }
  compute.push(`    for (var i = 0u; i < ${lim(c.ti)}; i++) {`);
  for (const [pa, pb] of products) {
    compute.push(
      `      ${accName}[i * ${c.tj}u + j] = ${mma(`fa${pa}[i]`, `fb${pb}`, `${accName}[i * ${c.tj}u + j]`, `As${pa}`, `Bs${pb}`, MK, promote)};`,
    );
  }
  compute.push('    }', '  }', '}');
  if (promote) {
    // f16 partial sums of the last promoteEvery chunks -> workgroup memory -> (left fragment) x identity into the f32
    // accumulators (the condition is uniform: it depends on the chunk index only)
    const every = c.promoteEvery ?? 1;
    if (every > 1) compute.push(`if ((ch + 1) % ${every} == 0 || ch + 1 == uniforms.nChunks) {`);
    compute.push(
      `for (var f = 0u; f < ${lim(frags)}; f++) { ${store('Ps', `pBase + f * ${MM * MN}u`, 'acc16[f]', MN)}; }`,
      'workgroupBarrier();',
      `let idR = ${load('IdRight', 'Id', '0u', false, MN)};`,
      `for (var f = 0u; f < ${lim(frags)}; f++) {`,
      `  let pl = ${load('PLeft', 'Ps', `pBase + f * ${MM * MN}u`, false, MN)};`,
      `  acc[f] = ${mma('pl', 'idR', 'acc[f]', 'Ps', 'Id', MN, false)};`,
      '  acc16[f] = Acc16T();',
      '}',
    );
    if (every > 1) compute.push('}');
  }

  // ---- emulated builtins (scalar loops) ----
  const emuFns: string[] = [];
  if (emu) {
    // loop bounds plus a run-time zero (M is never negative): llvmpipe would otherwise unroll these loops at
    // every call site, and compiling the emulated kernel would take minutes
    emuFns.push(`
    fn emuIdx(m : EmuMat, row : u32, col : u32) -> u32 {
      return select(m.off + row * m.stride + col, m.off + col * m.stride + row, m.col);
    }`);
    for (const [fn, [lArr, rArr, f16]] of emuPairs) {
      const add = f16 ? 'roundF16(out[q] + s)' : 'out[q] + s';
      emuFns.push(`
    // lane l owns elements l, l + 32, ... (row-major over ${MM} x ${MN}); products of f16 values are exact in f32
    fn ${fn}(l : EmuMat, r : EmuMat, acc : AccT, kdim : u32) -> AccT {
      var out = acc;
      let lane = localIndex % ${SUBGROUP_SIZE}u;
      let z = ${EMU_ZERO};
      for (var q = 0u; q < ${E}u + z; q++) {
        let e = q * ${SUBGROUP_SIZE}u + lane;
        let row = e / ${MN}u;
        let col = e % ${MN}u;
        var s = 0.0;
        for (var kk = 0u; kk < kdim + z; kk++) { s = s + ${lArr}[emuIdx(l, row, kk)] * ${rArr}[emuIdx(r, kk, col)]; }
        out[q] = ${add};
      }
      return out;
    }`);
    }
    for (const arr of ['Cs', ...(promote ? ['Ps'] : [])]) {
      emuFns.push(`
    fn emuStore${arr}(off : u32, v : AccT, stride : u32) {
      let lane = localIndex % ${SUBGROUP_SIZE}u;
      for (var q = 0u; q < ${E}u + ${EMU_ZERO}; q++) {
        let e = q * ${SUBGROUP_SIZE}u + lane;
        ${arr}[off + (e / ${MN}u) * stride + e % ${MN}u] = v[q];
      }
    }`);
    }
  }

  // ---- epilogue: fragment -> Cs -> unscale, bias, bounds -> result ----
  const biasAdd = c.bias ? ' + bias[bt * uniforms.biasSB + gm * uniforms.biasSM + gn * uniforms.biasSN]' : '';
  const epilogue = `
      for (var f = 0u; f < ${lim(frags)}; f++) {
        ${store('Cs', 'cBase', 'acc[f]', MN)};
        workgroupBarrier();
        for (var q = 0u; q < ${lim(E)}; q++) {
          let e = q * ${SUBGROUP_SIZE}u + lane;
          let gm = m0 + i32(sgRow + (f / ${c.tj}u) * 16u + e / ${MN}u);
          let gn = n0 + i32(sgCol + (f % ${c.tj}u) * ${MN}u + e % ${MN}u);
          if (valid && gm < uniforms.M && gn < uniforms.N) {
            let v = Cs[cBase + e] * pow2(-i32(scaleA[sBaseA + gm])) * pow2(-i32(scaleB[sBaseB + gn]));
            result[outBase + gm * uniforms.N + gn] = v${biasAdd};
          }
        }
        workgroupBarrier();
      }`;

  const sgRow = sgs > 1 ? `(sg / ${c.sgn}u) * ${c.ti * MM}u` : '0u';
  const sgCol = sgs > 1 ? `(sg % ${c.sgn}u) * ${c.tj * MN}u` : '0u';
  const stagePart = (dest: string) => ` storeA((${dest}) * ${SA}u); storeB((${dest}) * ${SB}u);`;
  const loadPart = ` loadA(k0); loadB(k0);`;
  const accDecls = [`var acc : array<AccT, ${frags}>;`];
  if (promote) accDecls.push(`var acc16 : array<Acc16T, ${frags}>;`);

  const mainLoop = c.doubleBuffer
    ? `
      var k0 = 0;
      ${loadPart}${stagePart('0u')}
      workgroupBarrier();
      for (var ch = 0; ch < uniforms.nChunks; ch++) {
        let cur = u32(ch & 1);
        let aCur = cur * ${SA}u;
        let bCur = cur * ${SB}u;
        let more = ch + 1 < uniforms.nChunks;
        k0 = (ch + 1) * ${BK};
        if (more) {${loadPart} }
        ${compute.join('\n        ')}
        if (more) {${stagePart('1u - cur')} }
        workgroupBarrier();
      }`
    : `
      for (var ch = 0; ch < uniforms.nChunks; ch++) {
        let k0 = ch * ${BK};
        let aCur = 0u;
        let bCur = 0u;
        ${loadPart}${stagePart('0u')}
        workgroupBarrier();
        ${compute.join('\n        ')}
        workgroupBarrier();
      }`;

  return `
    ${header.join('\n    ')}
    ${decls.join('\n    ')}
    ${POW2_WGSL}
    ${emuFns.join('\n')}
    ${stageFns('A')}
    ${stageFns('B')}
    fn main(index : i32) {
      let tid = i32(localIndex);
      let lane = localIndex % ${SUBGROUP_SIZE}u;
      ${sgs > 1 ? `let sg = ${emu ? '' : 'subgroupBroadcastFirst'}(localIndex / ${SUBGROUP_SIZE}u);` : ''}
      // the workgroup's tile from a workgroup-uniform value (subgroup-matrix offsets must be uniform)
      if (tid == 0) { wgTile = index / ${T}; }
      let grp = workgroupUniformLoad(&wgTile);
      let total = uniforms.tilesN * uniforms.tilesM * uniforms.batch;
      let valid = grp < total;
      let g = min(grp, total - 1);
      let tn = g % uniforms.tilesN;
      let tm = (g / uniforms.tilesN) % uniforms.tilesM;
      let bt = g / (uniforms.tilesN * uniforms.tilesM);
      let m0 = tm * ${BM};
      let n0 = tn * ${BN};
      tOriginA = m0;
      tOriginB = n0;
      tBaseA = bt * uniforms.aBatchStride;
      tBaseB = bt * uniforms.bBatchStride;
      sBaseA = bt * uniforms.sABatch;
      sBaseB = bt * uniforms.sBBatch;
      let sgRow = ${sgRow};
      let sgCol = ${sgCol};
      let cBase = ${sgs > 1 ? `sg * ${MM * MN}u` : '0u'};
      ${promote ? `let pBase = ${sgs > 1 ? `sg * ${frags * MM * MN}u` : '0u'};` : ''}
      ${promote ? `for (var x = tid; x < ${MN * MN}; x += ${T}) { Id[x] = select(ST(0.0), ST(1.0), x / ${MN} == x % ${MN}); }` : ''}
      ${accDecls.join('\n      ')}
      ${mainLoop}
      let outBase = bt * uniforms.M * uniforms.N;
      ${epilogue}
    }`;
}

/**
 * The kernel as a self-contained WGSL module (the bindings and the `main(index)` wrapper tfjs would add, with
 * directives first): for compile checks of a variant outside tfjs (tests, bench/tensor-cores.ts).
 */
export function standaloneTensorCoreModule(c: TensorCoreKernelConfig): string {
  const { threads } = kernelShape(c);
  const user = tensorCoreGemmWgsl(c);
  const lines = user.split('\n');
  const directives = lines.filter((l) => l.includes(HOIST_MARK)).map((l) => l.trim());
  const body = lines.filter((l) => !l.includes(HOIST_MARK)).join('\n');
  const inputs = ['a', 'b', 'scaleA', 'scaleB', ...(c.bias ? ['bias'] : [])];
  return [
    ...directives,
    `struct Uniforms { ${TC_UNIFORMS.map((u) => `${u} : i32`).join(', ')} };`,
    '@group(0) @binding(0) var<storage, read_write> result : array<f32>;',
    ...inputs.map((x, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${x} : array<f32>;`),
    `@group(0) @binding(${inputs.length + 1}) var<uniform> uniforms : Uniforms;`,
    'var<private> localIndex : u32;',
    body,
    `@compute @workgroup_size(${threads}, 1, 1)`,
    'fn _start(@builtin(local_invocation_index) li : u32, @builtin(workgroup_id) wg : vec3<u32>) {',
    '  localIndex = li;',
    `  main(i32(wg.x) * ${threads} + i32(li));`,
    '}',
  ].join('\n');
}
