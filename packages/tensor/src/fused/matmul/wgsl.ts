import { type FusedProgram, flatProgram } from '../webgpu-program.js';
import { bm, bn, type GemmPlan, type TileConfig } from './plan.js';

/*
 * Tiled WGSL GEMM for tfjs' BatchMatMul and _FusedMatMul (activation 'linear') on WebGPU:
 * C[b] = op(A[b]) · op(B[b]) (+ bias), float32, any M, N, K, batch of 1 broadcast.
 *
 * One workgroup computes a BM x BN tile of C; thread (tx, ty) of the WX x WY grid holds RM x RN register
 * blocks of 4x4 outputs (rows i*4*WY + 4*ty + 0..3, columns j*4*WX + 4*tx + 0..3). K goes in chunks of BK
 * through double-buffered shared memory, stored k-major (As[k][m], Bs[k][n]) so the inner loop reads vec4s of
 * both; the next chunk's global loads are issued into registers before the current chunk is multiplied and stored
 * into the other buffer after it (one barrier per chunk). The four transpose
 * combinations differ only in how the tiles are loaded: along the operand's contiguous dimension, as vec4 when
 * that dimension is a multiple of 4 (scalar, bounds-checked loads otherwise). Few tiles (skinny decode shapes,
 * M <= 64): K is split over workgroups into partial products that a second pass sums (and adds the bias to).
 */

export interface Variant {
  tile: TileConfig;
  bk: number;
  unroll: boolean;
  transposeA: boolean;
  transposeB: boolean;
  vecA: boolean;
  vecB: boolean;
  vecC: boolean;
  bias: boolean;
}

export const GEMM_UNIFORMS = [
  'M',
  'N',
  'K',
  'tilesN',
  'tilesM',
  'splits',
  'batch',
  'kChunk',
  'nChunks',
  'aBatchStride',
  'bBatchStride',
  'biasSB',
  'biasSM',
  'biasSN',
] as const;

/**
 * XOR applied to the vec4 index within k-row `k` of a tile stored from k-contiguous loads: the 4 invocations that
 * load 16 consecutive k of one row write 4 different k-rows, which without it land in the same shared-memory bank
 * (4-way conflicts); with it the 8 rows x 4 k-groups of a warp hit 32 distinct banks. Even values below 8 keep a
 * vec4 index inside its aligned block of 8, so the vec4 reads of the inner loop stay conflict-free.
 */
function swizzle(k: string, t: number): string {
  return `((${k} >> 2u) << 1u) & ${t / 4 - 1}`;
}

/**
 * WGSL that loads one operand's BK x T tile (T = BM or BN; `outer` is m or n) into registers `p<name><i>`
 * and stores them into shared `<name>s` (k-major). `alongOuter`: the operand is contiguous along m/n
 * (A transposed, B not), else along k.
 */
function operandCode(name: 'A' | 'B', t: number, wg: number, alongOuter: boolean, vec: boolean, BK: number) {
  const src = name.toLowerCase();
  const outerSize = name === 'A' ? 'uniforms.M' : 'uniforms.N';
  const base = name === 'A' ? 'aBase' : 'bBase';
  const o0 = name === 'A' ? 'm0' : 'n0';
  const units = (BK * t) / 4;
  const per = Math.ceil(units / wg);
  const exact = units % wg === 0;
  const decl: string[] = [];
  const load: string[] = [];
  const store: string[] = [];
  for (let p = 0; p < per; p++) {
    const r = `p${name}${p}`;
    decl.push(`var ${r} = vec4<f32>(0.0);`);
    const guard = exact ? 'true' : `(tid + ${p * wg} < ${units})`;
    const u = `(tid + ${p * wg})`;
    if (alongOuter) {
      // element (o, k) at base + k * outerSize + o; 4 consecutive o
      const kk = `${u} / ${t / 4}`;
      const oc = `(${u} % ${t / 4}) * 4`;
      const idx = `${base} + (k0 + ${kk}) * ${outerSize} + ${o0} + ${oc}`;
      const inK = `(k0 + ${kk} < kEnd)`;
      if (vec) {
        load.push(
          `if (${guard} && ${inK} && ${o0} + ${oc} < ${outerSize}) { ${r} = ${src}[(${idx}) / 4]; } else { ${r} = vec4<f32>(0.0); }`,
        );
      } else {
        load.push(`{ let i = ${idx}; let ok = ${guard} && ${inK}; let o = ${o0} + ${oc};`);
        for (let c = 0; c < 4; c++) {
          load.push(
            `  ${r}[${c}] = select(0.0, ${src}[min(i + ${c}, lastIdx${name})], ok && o + ${c} < ${outerSize});`,
          );
        }
        load.push('}');
      }
      store.push(exact ? `${name}s[${name}St + ${u}] = ${r};` : `if (${guard}) { ${name}s[${name}St + ${u}] = ${r}; }`);
    } else {
      // element (o, k) at base + o * K + k; 4 consecutive k
      const oo = `${u} / ${BK / 4}`;
      const kc = `(${u} % ${BK / 4}) * 4`;
      const idx = `${base} + (${o0} + ${oo}) * uniforms.K + k0 + ${kc}`;
      const inO = `(${o0} + ${oo} < ${outerSize})`;
      if (vec) {
        load.push(
          `if (${guard} && ${inO} && k0 + ${kc} < kEnd) { ${r} = ${src}[(${idx}) / 4]; } else { ${r} = vec4<f32>(0.0); }`,
        );
      } else {
        load.push(`{ let i = ${idx}; let ok = ${guard} && ${inO}; let k = k0 + ${kc};`);
        for (let c = 0; c < 4; c++) {
          load.push(`  ${r}[${c}] = select(0.0, ${src}[min(i + ${c}, lastIdx${name})], ok && k + ${c} < kEnd);`);
        }
        load.push('}');
      }
      const body = [
        `let oo = ${oo};`,
        `let kc = ${kc};`,
        `let v = (oo / 4) ^ (${swizzle('kc', t)});`,
        ...[0, 1, 2, 3].map((c) => `${name}s[${name}St + (kc + ${c}) * ${t / 4} + v][oo % 4] = ${r}[${c}];`),
      ].join(' ');
      store.push(exact ? `{ ${body} }` : `if (${guard}) { ${body} }`);
    }
  }
  return { decl: decl.join('\n      '), load: load.join('\n        '), store: store.join('\n        ') };
}

export function gemmProgram(v: Variant, plan: GemmPlan, batch: number, m: number, n: number): FusedProgram {
  const c = v.tile;
  const BM = bm(c);
  const BN = bn(c);
  const wg = c.wx * c.wy;
  const BK = v.bk;
  const a = operandCode('A', BM, wg, v.transposeA, v.vecA, BK);
  const b = operandCode('B', BN, wg, !v.transposeB, v.vecB, BK);
  const accs: string[] = [];
  const writes: string[] = [];
  // operands loaded along k are stored swizzled (see swizzle)
  const swA = !v.transposeA;
  const swB = v.transposeB;
  /** One k step of the register-blocked product; `k` a WGSL expression (the loop variable or a literal). */
  const kStep = (k: string): string[] => {
    const lines: string[] = [];
    const sw = (t: number) => (/^\d+$/.test(k) ? String(((Number(k) >> 2) << 1) & (t / 4 - 1)) : `(${swizzle(k, t)})`);
    for (let i = 0; i < c.rm; i++) {
      const col = swA ? `((${i * c.wy} + ty) ^ ${sw(BM)})` : `${i * c.wy} + ty`;
      lines.push(`let a${i} = As[ACur + ${k} * ${BM / 4} + ${col}];`);
    }
    for (let j = 0; j < c.rn; j++) {
      const col = swB ? `((${j * c.wx} + tx) ^ ${sw(BN)})` : `${j * c.wx} + tx`;
      lines.push(`let b${j} = Bs[BCur + ${k} * ${BN / 4} + ${col}];`);
    }
    for (let i = 0; i < c.rm; i++) {
      for (let r = 0; r < 4; r++) {
        for (let j = 0; j < c.rn; j++) {
          const acc = `c${i}_${r}_${j}`;
          lines.push(`${acc} = fma(vec4<f32>(a${i}[${r}]), b${j}, ${acc});`);
        }
      }
    }
    return lines;
  };
  const kLoop = v.unroll
    ? Array.from({ length: BK }, (_, k) => `{\n          ${kStep(String(k)).join('\n          ')}\n        }`).join(
        '\n        ',
      )
    : `for (var k = 0; k < ${BK}; k++) {\n          ${kStep('k').join('\n          ')}\n        }`;
  for (let i = 0; i < c.rm; i++) {
    for (let r = 0; r < 4; r++) {
      for (let j = 0; j < c.rn; j++) {
        const acc = `c${i}_${r}_${j}`;
        accs.push(`var ${acc} = vec4<f32>(0.0);`);
        const row = `m0 + ${i * 4 * c.wy + r} + 4 * ty`;
        const col = `n0 + ${j * 4 * c.wx} + 4 * tx`;
        const biasAt = (cc: string) => `bias[bBias + (${row}) * uniforms.biasSM + (${cc}) * uniforms.biasSN]`;
        if (v.vecC) {
          const add = v.bias ? ` + vec4<f32>(${[0, 1, 2, 3].map((q) => biasAt(`${col} + ${q}`)).join(', ')})` : '';
          writes.push(
            `if (valid && ${row} < uniforms.M && ${col} < uniforms.N) { result[(outBase + (${row}) * uniforms.N + ${col}) / 4] = ${acc}${add}; }`,
          );
        } else {
          writes.push(`if (valid && ${row} < uniforms.M) {`);
          for (let q = 0; q < 4; q++) {
            const add = v.bias ? ` + ${biasAt(`${col} + ${q}`)}` : '';
            writes.push(
              `  if (${col} + ${q} < uniforms.N) { result[outBase + (${row}) * uniforms.N + ${col} + ${q}] = ${acc}[${q}]${add}; }`,
            );
          }
          writes.push('}');
        }
      }
    }
  }
  const key = [
    'magicGemm',
    c.wx,
    c.wy,
    c.rm,
    c.rn,
    `bk${BK}`,
    v.unroll ? 'unrolled' : 'loop',
    v.transposeA ? 'tA' : 'nA',
    v.transposeB ? 'tB' : 'nB',
    v.vecA ? 'vA' : 'sA',
    v.vecB ? 'vB' : 'sB',
    v.vecC ? 'vC' : 'sC',
    v.bias ? 'bias' : 'nobias',
  ].join('_');
  const groups = batch * plan.splits * plan.tilesM * plan.tilesN;
  return {
    ...flatProgram(
      {
        variableNames: v.bias ? ['a', 'b', 'bias'] : ['a', 'b'],
        outputShape: [batch * plan.splits, m, n],
        shaderKey: key,
        uniforms: GEMM_UNIFORMS.map((u) => `${u} : i32, `).join(''),
        getUserCode: () => `
    const WG = ${wg};
    const WX = ${c.wx};
    const SA = ${(BK * BM) / 4};
    const SB = ${(BK * BN) / 4};
    // two buffers per operand: the next chunk is stored while the current one is multiplied (one barrier a chunk)
    var<workgroup> As : array<vec4<f32>, ${(2 * BK * BM) / 4}>;
    var<workgroup> Bs : array<vec4<f32>, ${(2 * BK * BN) / 4}>;
    fn main(index : i32) {
      let tid = i32(localIndex);
      let tx = tid % WX;
      let ty = tid / WX;
      let grp = index / WG;
      let total = uniforms.tilesN * uniforms.tilesM * uniforms.splits * uniforms.batch;
      let valid = grp < total;
      let g = min(grp, total - 1);
      let tn = g % uniforms.tilesN;
      var rest = g / uniforms.tilesN;
      let tm = rest % uniforms.tilesM;
      rest = rest / uniforms.tilesM;
      let sp = rest % uniforms.splits;
      let bt = rest / uniforms.splits;
      let m0 = tm * ${BM};
      let n0 = tn * ${BN};
      let kBeg = sp * uniforms.kChunk;
      let kEnd = min(uniforms.K, kBeg + uniforms.kChunk);
      let aBase = bt * uniforms.aBatchStride;
      let bBase = bt * uniforms.bBatchStride;
      let lastIdxA = i32(arrayLength(&a)) - 1;
      let lastIdxB = i32(arrayLength(&b)) - 1;
      ${accs.join('\n      ')}
      ${a.decl}
      ${b.decl}
      var k0 = kBeg;
      {
        ${a.load}
        ${b.load}
        let ASt = 0;
        let BSt = 0;
        ${a.store}
        ${b.store}
      }
      workgroupBarrier();
      for (var ch = 0; ch < uniforms.nChunks; ch++) {
        let cur = ch & 1;
        let ACur = cur * SA;
        let BCur = cur * SB;
        let more = ch + 1 < uniforms.nChunks;
        k0 = kBeg + (ch + 1) * ${BK};
        if (more) {
          ${a.load}
          ${b.load}
        }
        ${kLoop}
        if (more) {
          let ASt = SA - ACur;
          let BSt = SB - BCur;
          ${a.store}
          ${b.store}
        }
        workgroupBarrier();
      }
      let outBase = (sp * uniforms.batch + bt) * uniforms.M * uniforms.N;
      let bBias = bt * uniforms.biasSB;
      ${writes.join('\n      ')}
    }`,
      },
      groups,
      wg,
    ),
    variableComponents: v.bias ? [v.vecA ? 4 : 1, v.vecB ? 4 : 1, 1] : [v.vecA ? 4 : 1, v.vecB ? 4 : 1],
    ...(v.vecC ? { outputComponent: 4 } : {}),
  } as FusedProgram;
}

const SUM_WG = 256;

/**
 * Sums the `splits` partial products [splits * batch, M, N] into [batch, M, N], adding the bias; without `part`
 * (K = 0) writes the bias or zeros.
 */
export function splitSumProgram(batch: number, m: number, n: number, bias: boolean, part = true): FusedProgram {
  const size = batch * m * n;
  const add = bias ? ` + bias[bt * uniforms.biasSB + row * uniforms.biasSM + col * uniforms.biasSN]` : '';
  return flatProgram(
    {
      variableNames: [...(part ? ['part'] : []), ...(bias ? ['bias'] : [])],
      outputShape: [batch, m, n],
      shaderKey: `magicGemmSplitSum_${bias ? 'bias' : 'nobias'}_${part ? 'part' : 'nopart'}`,
      uniforms: 'M : i32, N : i32, splits : i32, total : i32, biasSB : i32, biasSM : i32, biasSN : i32, ',
      getUserCode: () => `
    fn main(index : i32) {
      if (index >= uniforms.total) { return; }
      let col = index % uniforms.N;
      let row = (index / uniforms.N) % uniforms.M;
      let bt = index / (uniforms.N * uniforms.M);
      var acc = 0.0;
      ${part ? 'for (var s = 0; s < uniforms.splits; s++) { acc += part[s * uniforms.total + index]; }' : ''}
      result[index] = acc${add};
    }`,
    },
    Math.ceil(size / SUM_WG) || 1,
    SUM_WG,
  );
}
