import { FusedOpError } from '../webgpu-program.js';
import {
  F16_INPUT_MARK,
  fragmentStore,
  fragmentTypeHeader,
  matrixType,
  parseMatrixType,
  standaloneF16Module,
  tileOriginWgsl,
} from './direct-wgsl.js';
import { ROUND_F16_WGSL } from './f16.js';
import { SUBGROUP_SIZE, type TensorCoreKernelConfig } from './kernel-config.js';
import { HOIST_MARK } from './kernel-wgsl.js';

/*
 * The "tiled" tensor-core GEMM: the direct kernel's f16 operands (pre-scaled and pre-rounded by the staging
 * programs of direct-wgsl.ts, zero-padded: A16 [batchA][Mp][Kp], B16 [batchB][Kp][Np], row-major) go through
 * workgroup memory in BK-deep chunks, so SGM x SGN subgroups share each chunk (the direct kernel has every subgroup
 * read its own fragments from global memory). Each invocation copies vec4<f16> pieces of the chunk from storage
 * into f16 workgroup arrays: no f32 -> f16 conversion happens in this shader (the staged kernel's in-shader
 * conversion is the one path the GPU runs never proved; f16 -> f16 copies into workgroup memory did, see the
 * bench's probes). Double buffering: the next chunk is read into registers before the current one is multiplied
 * and written into the other buffer after it (one barrier per chunk). Accumulation: f32 (f16 x f16 -> f32 matrix
 * ops), or f16 over promoteEvery chunks promoted into f32 accumulators through an identity matrix op (WGSL has no
 * conversion between matrix types), PROMOTE_GROUP fragments at a time through workgroup memory. Accumulators are
 * stored straight into the padded f32 output Cp (as the direct kernel does); the direct epilogue program unscales,
 * biases and crops.
 *
 * `emulate`: every subgroup-matrix type and builtin replaced by scalar WGSL with the rows and columns of the
 * declared types, and the loads / stores clamped as Tint's robustness transform clamps them (an out-of-bounds
 * fragment is read or written at offset 0 with the minimum stride): the same generator, so CI runs the real
 * kernel's copying, indexing, buffering and promotion. Storage inputs are f32 there (read as four scalars).
 *
 * Uniformity: the tile origin comes from workgroupUniformLoad; each subgroup's index is
 * subgroupBroadcastFirst(localIndex / 32); every other matrix offset depends on constant-bounded loop counters only.
 */

/** Fragments promoted together (f16-promote): their f16 partial sums share one workgroup-memory slot per subgroup. */
export const PROMOTE_GROUP = 4;
/** Padding (f16 elements) of each workgroup-memory row: keeps rows 16-byte aligned and spreads them over banks. */
export const TILE_PAD = 8;

export interface TileShape {
  bm: number;
  bn: number;
  threads: number;
  /** Row strides (elements) of the A chunk [BM][LDA] and the B chunk [BK][LDB] in workgroup memory. */
  lda: number;
  ldb: number;
  /** vec4 pieces of A and B each invocation copies per chunk. */
  pa: number;
  pb: number;
  /** Fragments promoted together. */
  group: number;
  sharedBytes: number;
}

export function tileShape(c: TensorCoreKernelConfig): TileShape {
  const bm = c.sgm * c.ti * c.mma.m;
  const bn = c.sgn * c.tj * c.mma.n;
  const sgs = c.sgm * c.sgn;
  const threads = SUBGROUP_SIZE * sgs;
  const lda = c.bk + TILE_PAD;
  const ldb = bn + TILE_PAD;
  const frags = c.ti * c.tj;
  const group = Math.min(PROMOTE_GROUP, frags);
  const el = c.emulate ? 4 : 2;
  const bufs = c.doubleBuffer ? 2 : 1;
  const parts = c.split ? 2 : 1;
  let bytes = bufs * parts * (bm * lda + c.bk * ldb) * el + 4;
  if (c.accumulate === 'f16-promote') bytes += (sgs * group * c.mma.m * c.mma.n + c.mma.n * c.mma.n) * el;
  return {
    bm,
    bn,
    threads,
    lda,
    ldb,
    pa: (bm * c.bk) / (4 * threads),
    pb: (c.bk * bn) / (4 * threads),
    group,
    sharedBytes: bytes,
  };
}

/** Throws FusedOpError when a tiled config cannot be generated. */
export function validateTileConfig(c: TensorCoreKernelConfig): void {
  const fail = (msg: string) => {
    throw new FusedOpError('tensorCoreGemm', msg);
  };
  if (c.bk % 16 !== 0 || c.bk % c.mma.k !== 0) fail(`tiled: bk ${c.bk} must be a multiple of 16 and of mma.k`);
  if (c.split && c.accumulate !== 'f32') fail('tiled: split needs f32 accumulation');
  const s = tileShape(c);
  if (!Number.isInteger(s.pa) || !Number.isInteger(s.pb) || s.pa < 1 || s.pb < 1) {
    fail(`tiled: a ${s.bm}x${c.bk} / ${c.bk}x${s.bn} chunk does not split into vec4s over ${s.threads} invocations`);
  }
  if (c.accumulate === 'f16-promote' && (c.ti * c.tj) % s.group !== 0)
    fail('tiled: fragments not a multiple of the group');
}

/** The tiled matrix kernel: inputs a16, b16 (+ a16lo, b16lo), output Cp [batch * Mp * Np] f32; DIRECT_UNIFORMS. */
export function tileGemmWgsl(c: TensorCoreKernelConfig): string {
  validateTileConfig(c);
  const emu = c.emulate;
  const s = tileShape(c);
  const { m: MM, n: MN, k: MK } = c.mma;
  const { bm: BM, bn: BN, threads: T, lda: LDA, ldb: LDB, pa: PA, pb: PB, group: G } = s;
  const BK = c.bk;
  const sgs = c.sgm * c.sgn;
  const frags = c.ti * c.tj;
  const SA = BM * LDA;
  const SB = BK * LDB;
  const bufs = c.doubleBuffer ? 2 : 1;
  const promote = c.accumulate === 'f16-promote';
  const every = c.promoteEvery ?? 1;
  const parts = c.split ? (['', 'Lo'] as const) : ([''] as const);
  const products = c.split
    ? ([
        ['', ''],
        ['', 'Lo'],
        ['Lo', ''],
      ] as const)
    : ([['', '']] as const);
  const ST = emu ? 'f32' : 'f16';
  const EMU_ZERO = 'u32(uniforms.batch < 0)';
  /** Loop bound; in the emulation plus a run-time zero so llvmpipe does not unroll (compiles would crawl). */
  const lim = (x: number) => (emu ? `(${x}u + ${EMU_ZERO})` : `${x}u`);

  const L = matrixType('left', 'f16', c.mma);
  const R = matrixType('right', 'f16', c.mma);
  const C = matrixType('result', 'f32', c.mma);
  const C16 = parseMatrixType(C.wgsl.replace('<f32', '<f16'));
  const pmma = { m: MM, n: MN, k: MN } as const;
  const PL = matrixType('left', 'f16', pmma);
  const IR = matrixType('right', 'f16', pmma);
  /** Element count of each array a fragment is loaded from or stored to (the emulation's robustness clamp). */
  const lengths: Record<string, string> = {
    As: `${bufs * SA}u`,
    AsLo: `${bufs * SA}u`,
    Bs: `${bufs * SB}u`,
    BsLo: `${bufs * SB}u`,
    Ps: `${sgs * G * MM * MN}u`,
    Id: `${MN * MN}u`,
    result: 'arrayLength(&result)',
  };
  const load = (t: 'LeftT' | 'RightT' | 'PLeftT' | 'IdRightT', arr: string, off: string, stride: string) =>
    emu ? `Emu${t}(${off}, ${stride}, ${lengths[arr]})` : `subgroupMatrixLoad<${t}>(&${arr}, ${off}, false, ${stride})`;
  const mma = (l: string, r: string, acc: string, lArr: string, rArr: string, f16: boolean) =>
    emu
      ? `emuMma_${lArr}_${rArr}${f16 ? '16' : ''}(${l}, ${r}, ${acc})`
      : `subgroupMatrixMultiplyAccumulate(${l}, ${r}, ${acc})`;
  const store = fragmentStore(emu);

  const header: string[] = [];
  const emuFns: string[] = [];
  if (!emu) {
    header.push(...fragmentTypeHeader(sgs, { L, R, C, C16, PL, IR }, promote));
  } else {
    const ctor = (name: string, t: { rows: number; cols: number }) =>
      `fn Emu${name}(off : u32, stride : u32, len : u32) -> EmuMat { return emuClamp(off, stride, len, ${t.rows}u, ${t.cols}u); }`;
    header.push(
      'struct EmuMat { off : u32, stride : u32, rows : u32, cols : u32 }',
      // Tint's robustness for row-major loads / stores: stride at least the column count; a fragment whose last
      // row would end past the array is read / written at offset 0 with the minimum stride
      `fn emuClamp(off : u32, stride : u32, len : u32, rows : u32, cols : u32) -> EmuMat {
        let st = max(stride, cols);
        if (off + st * (rows - 1u) + cols > len) { return EmuMat(0u, cols, rows, cols); }
        return EmuMat(off, st, rows, cols);
      }`,
      ctor('LeftT', L),
      ctor('RightT', R),
      ctor('PLeftT', PL),
      ctor('IdRightT', IR),
      'alias LeftT = EmuMat;',
      'alias RightT = EmuMat;',
      'alias PLeftT = EmuMat;',
      'alias IdRightT = EmuMat;',
      `alias AccT = array<f32, ${(C.rows * C.cols) / SUBGROUP_SIZE}>;`,
      `alias Acc16T = array<f32, ${(C16.rows * C16.cols) / SUBGROUP_SIZE}>;`,
      ROUND_F16_WGSL,
    );
    const E = (C.rows * C.cols) / SUBGROUP_SIZE;
    const pairs: [string, string, boolean][] = products.map(([pa, pb]) => [`As${pa}`, `Bs${pb}`, promote]);
    if (promote) pairs.push(['Ps', 'Id', false]);
    for (const [la, rb, f16] of pairs) {
      // lane l owns result elements l, l + 32, ... (row-major); one f32 dot product of the fragment's K per op,
      // added into the accumulator (rounded to f16 for an f16 accumulator); products of f16 values are exact
      emuFns.push(`
    fn emuMma_${la}_${rb}${f16 ? '16' : ''}(l : EmuMat, r : EmuMat, acc : AccT) -> AccT {
      var out = acc;
      let lane = localIndex % ${SUBGROUP_SIZE}u;
      let z = ${EMU_ZERO};
      for (var q = 0u; q < ${E}u + z; q++) {
        let e = q * ${SUBGROUP_SIZE}u + lane;
        let row = e / ${C.cols}u;
        let col = e % ${C.cols}u;
        var s = 0.0;
        for (var kk = 0u; kk < l.cols + z; kk++) {
          s = s + ${la}[l.off + row * l.stride + kk] * ${rb}[r.off + kk * r.stride + col];
        }
        out[q] = ${f16 ? 'roundF16(out[q] + s)' : 'out[q] + s'};
      }
      return out;
    }`);
    }
    for (const arr of ['result', ...(promote ? ['Ps'] : [])]) {
      emuFns.push(`
    fn emuStore_${arr}(off : u32, v : AccT, stride : u32) {
      let m = emuClamp(off, stride, ${lengths[arr]}, ${C.rows}u, ${C.cols}u);
      let lane = localIndex % ${SUBGROUP_SIZE}u;
      for (var q = 0u; q < ${E}u + ${EMU_ZERO}; q++) {
        let e = q * ${SUBGROUP_SIZE}u + lane;
        ${arr}[m.off + (e / ${C.cols}u) * m.stride + e % ${C.cols}u] = v[q];
      }
    }`);
    }
  }

  // ---- workgroup memory and copy registers ----
  const decls: string[] = [];
  for (const p of parts) {
    decls.push(
      `var<workgroup> As${p} : array<${ST}, ${bufs * SA}>;`,
      `var<workgroup> Bs${p} : array<${ST}, ${bufs * SB}>;`,
    );
    decls.push(`var<private> ra${p} : array<vec4<${ST}>, ${PA}>;`, `var<private> rb${p} : array<vec4<${ST}>, ${PB}>;`);
  }
  if (promote) {
    decls.push(
      `var<workgroup> Ps : array<${ST}, ${sgs * G * MM * MN}>;`,
      `var<workgroup> Id : array<${ST}, ${MN * MN}>;`,
    );
  }
  decls.push('var<workgroup> wgTile : i32;');

  // ---- global (vec4 pieces) -> registers -> workgroup memory ----
  const inputs = [...parts.flatMap((p) => [`a16${p.toLowerCase()}`, `b16${p.toLowerCase()}`])];
  // four neighbouring elements (the storage arrays stay scalar: tfjs' generated accessors of each input convert
  // one element with f32(...), which a vec4 element would not type-check)
  const reader = (x: string) =>
    `fn ld_${x}(q : u32) -> vec4<${ST}> { let i = 4u * q; return vec4<${ST}>(${x}[i], ${x}[i + 1u], ${x}[i + 2u], ${x}[i + 3u]); }`;
  const copyFns = `
    ${inputs.map(reader).join('\n    ')}
    // chunk at k0 -> registers: A rows of ${BK / 4} vec4s, B rows of ${BN / 4} vec4s (neighbouring invocations read
    // neighbouring pieces)
    fn loadChunk(aBase : u32, bBase : u32, k0 : u32, kp : u32, np : u32) {
      for (var p = 0u; p < ${lim(PA)}; p++) {
        let q = localIndex + p * ${T}u;
        let src = (aBase + (q / ${BK / 4}u) * kp + k0) / 4u + q % ${BK / 4}u;
        ${parts.map((x) => `ra${x}[p] = ld_a16${x.toLowerCase()}(src);`).join(' ')}
      }
      for (var p = 0u; p < ${lim(PB)}; p++) {
        let q = localIndex + p * ${T}u;
        let src = (bBase + (k0 + q / ${BN / 4}u) * np) / 4u + q % ${BN / 4}u;
        ${parts.map((x) => `rb${x}[p] = ld_b16${x.toLowerCase()}(src);`).join(' ')}
      }
    }
    // registers -> buffer buf of the workgroup-memory chunks (f16 copies: no conversion)
    fn storeChunk(buf : u32) {
      for (var p = 0u; p < ${lim(PA)}; p++) {
        let q = localIndex + p * ${T}u;
        let d = buf * ${SA}u + (q / ${BK / 4}u) * ${LDA}u + (q % ${BK / 4}u) * 4u;
        ${parts.map((x) => `As${x}[d] = ra${x}[p].x; As${x}[d + 1u] = ra${x}[p].y; As${x}[d + 2u] = ra${x}[p].z; As${x}[d + 3u] = ra${x}[p].w;`).join('\n        ')}
      }
      for (var p = 0u; p < ${lim(PB)}; p++) {
        let q = localIndex + p * ${T}u;
        let d = buf * ${SB}u + (q / ${BN / 4}u) * ${LDB}u + (q % ${BN / 4}u) * 4u;
        ${parts.map((x) => `Bs${x}[d] = rb${x}[p].x; Bs${x}[d + 1u] = rb${x}[p].y; Bs${x}[d + 2u] = rb${x}[p].z; Bs${x}[d + 3u] = rb${x}[p].w;`).join('\n        ')}
      }
    }`;

  // ---- one chunk of matrix ops on buffer cur ----
  const accName = promote ? 'acc16' : 'acc';
  const compute: string[] = [`for (var ks = 0u; ks < ${lim(BK / MK)}; ks++) {`];
  for (const pa of [...new Set(products.map((x) => x[0]))]) {
    compute.push(`  var fa${pa} : array<LeftT, ${c.ti}>;`);
    compute.push(`  for (var i = 0u; i < ${lim(c.ti)}; i++) {`);
    compute.push(
      `    fa${pa}[i] = ${load('LeftT', `As${pa}`, `cur * ${SA}u + (sgRow + i * ${MM}u) * ${LDA}u + ks * ${MK}u`, `${LDA}u`)};`,
    );
    compute.push('  }');
  }
  compute.push(`  for (var j = 0u; j < ${lim(c.tj)}; j++) {`);
  for (const pb of [...new Set(products.map((x) => x[1]))]) {
    compute.push(
      `    let fb${pb} = ${load('RightT', `Bs${pb}`, `cur * ${SB}u + ks * ${MK * LDB}u + sgCol + j * ${MN}u`, `${LDB}u`)};`,
    );
  }
  compute.push(`    for (var i = 0u; i < ${lim(c.ti)}; i++) {`);
  for (const [pa, pb] of products) {
    compute.push(
      `      ${accName}[i * ${c.tj}u + j] = ${mma(`fa${pa}[i]`, `fb${pb}`, `${accName}[i * ${c.tj}u + j]`, `As${pa}`, `Bs${pb}`, promote)};`,
    );
  }
  compute.push('    }', '  }', '}');
  if (promote) {
    // every promoteEvery chunks (and after the last): f16 partial sums -> Ps -> left fragment x identity -> f32
    // (the condition depends on the chunk index only: uniform)
    compute.push(
      `if ((ch + 1u) % ${every}u == 0u || ch + 1u == nChunks) {`,
      `  for (var f0 = 0u; f0 < ${lim(frags)}; f0 += ${G}u) {`,
      `    for (var f = 0u; f < ${lim(G)}; f++) { ${store('Ps', `pBase + f * ${MM * MN}u`, 'acc16[f0 + f]', `${MN}u`)}; }`,
      '    workgroupBarrier();',
      `    let idR = ${load('IdRightT', 'Id', '0u', `${MN}u`)};`,
      `    for (var f = 0u; f < ${lim(G)}; f++) {`,
      `      let pl = ${load('PLeftT', 'Ps', `pBase + f * ${MM * MN}u`, `${MN}u`)};`,
      `      acc[f0 + f] = ${mma('pl', 'idR', 'acc[f0 + f]', 'Ps', 'Id', false)};`,
      '      acc16[f0 + f] = Acc16T();',
      '    }',
      '    workgroupBarrier();',
      '  }',
      '}',
    );
  }

  const mainLoop = c.doubleBuffer
    ? `
      loadChunk(aBase, bBase, 0u, kp, np);
      storeChunk(0u);
      workgroupBarrier();
      for (var ch = 0u; ch < nChunks; ch++) {
        let cur = ch & 1u;
        let more = ch + 1u < nChunks;
        if (more) { loadChunk(aBase, bBase, (ch + 1u) * ${BK}u, kp, np); }
        ${compute.join('\n        ')}
        if (more) { storeChunk(1u - cur); }
        workgroupBarrier();
      }`
    : `
      for (var ch = 0u; ch < nChunks; ch++) {
        let cur = 0u;
        loadChunk(aBase, bBase, ch * ${BK}u, kp, np);
        storeChunk(0u);
        workgroupBarrier();
        ${compute.join('\n        ')}
        workgroupBarrier();
      }`;
  const sgIndex = sgs > 1 ? `${emu ? '' : 'subgroupBroadcastFirst'}(localIndex / ${SUBGROUP_SIZE}u)` : '0u';
  const ONE = emu ? '1.0' : 'f16(1.0)';
  const ZERO = emu ? '0.0' : 'f16(0.0)';

  return `
    ${header.join('\n    ')}
    ${decls.join('\n    ')}
    ${emuFns.join('\n')}
    ${copyFns}
    fn main(index : i32) {
      ${tileOriginWgsl(T)}
      let nChunks = kp / ${BK}u;
      let sg = ${sgIndex};
      let sgRow = (sg / ${c.sgn}u) * ${c.ti * MM}u;
      let sgCol = (sg % ${c.sgn}u) * ${c.tj * MN}u;
      let aBase = bt * u32(uniforms.aBatchStride) + tm * ${BM}u * kp;
      let bBase = bt * u32(uniforms.bBatchStride) + tn * ${BN}u;
      var acc : array<AccT, ${frags}>;
      ${
        promote
          ? `var acc16 : array<Acc16T, ${frags}>;
      let pBase = sg * ${G * MM * MN}u;
      for (var x = localIndex; x < ${MN * MN}u; x += ${T}u) { Id[x] = select(${ZERO}, ${ONE}, x / ${MN}u == x % ${MN}u); }`
          : ''
      }
      ${mainLoop}
      if (valid) {
        let cBase = bt * u32(uniforms.Mp) * np + (tm * ${BM}u + sgRow) * np + tn * ${BN}u + sgCol;
        for (var i = 0u; i < ${lim(c.ti)}; i++) {
          for (var j = 0u; j < ${lim(c.tj)}; j++) {
            ${store('result', `cBase + i * ${MM}u * np + j * ${MN}u`, `acc[i * ${c.tj}u + j]`, 'np')};
          }
        }
      }
    }`;
}

/** The tiled kernel for tfjs' program wrapper: the real one marks its packed inputs as f16 arrays. */
export function tileGemmUserCode(c: TensorCoreKernelConfig): string {
  const code = tileGemmWgsl(c);
  if (c.emulate) return code;
  const inputs = ['a16', 'b16', ...(c.split ? ['a16lo', 'b16lo'] : [])];
  return `${inputs.map((x) => `${F16_INPUT_MARK} ${x}`).join('\n')}\n${code}`;
}

/** The tiled kernel as a self-contained module (bindings and entry point as tfjs adds them): compile checks. */
export function standaloneTileModule(c: TensorCoreKernelConfig, uniformNames: readonly string[]): string {
  return standaloneF16Module(c, tileGemmWgsl(c), uniformNames);
}
