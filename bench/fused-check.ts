// Fused kernels on a device vs the unfused reference on cpu (the checks of
// packages/tensor/src/fused/fused-webgpu.test.ts, for hardware adapters):
// `npx tsx bench/fused-check.ts [--device webgpu]` (GPU: node scripts/device-bundle.mjs bench/fused-check.ts
// .bundle/fused-check.mjs). One JSON line per case (max abs error per output, pass at atol/rtol); exit 1 on a failure.
import { at } from '@magic/core';
import { DEVICES, type Device, initBackend, initBackendOptionsFromEnv, releaseWebGpu } from '@magic/tensor';
import {
  decodeAttention,
  fusedRmsNorm,
  fusedRope,
  fusedRopeAt,
  fusedSwiGlu,
  logProbGather,
  sampleTokens,
} from '@magic/tensor/kernels';
import {
  decodeAttentionReference,
  logProbGatherReference,
  rmsNormReference,
  ropeAtReference,
  ropeReference,
  seededNormal,
  swiGluReference,
} from '@magic/tensor/testing';
import * as tf from '@tensorflow/tfjs-core';

const i = process.argv.indexOf('--device');
const device = (i >= 0 ? process.argv[i + 1] : 'webgpu') as Device;
if (!DEVICES.includes(device)) throw new Error(`--device must be one of ${DEVICES.join(', ')}`);

const normal = (seed: number, shape: number[], scale = 1) =>
  tf.tensor(
    seededNormal(
      seed,
      shape.reduce((a, b) => a * b, 1),
      scale,
    ),
    shape,
    'float32',
  );

async function compute(backend: string, fn: () => tf.Tensor[]): Promise<(Float32Array | Int32Array)[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const data = await Promise.all(out.map((t) => t.data() as Promise<Float32Array | Int32Array>));
  tf.dispose(out);
  return data;
}

type Case = { name: string; atol: number; rtol: number; run: (fused: boolean) => tf.Tensor[] };
const grads = (f: (...a: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor) =>
  tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), dy)))(xs);

/** cos/sin tables [2,1,6,64] made on the host (float32 angle as in ropeTables, Math.cos/sin): identical inputs everywhere. */
function hostTables(pos: number[][], d: number, theta: number): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const half = d / 2;
  const inv = new Float32Array(half);
  for (let j = 0; j < half; j++) inv[j] = 1 / theta ** ((2 * j) / d);
  const flat = pos.flat();
  const cos = new Float32Array(flat.length * d);
  const sin = new Float32Array(flat.length * d);
  flat.forEach((p, r) => {
    for (let j = 0; j < d; j++) {
      const a = Math.fround(p * at(inv, j % half, 'inverse frequency'));
      cos[r * d + j] = Math.cos(a);
      sin[r * d + j] = Math.sin(a);
    }
  });
  const shape: [number, number, number, number] = [pos.length, 1, at(pos, 0, 'position row').length, d];
  return { cos: tf.tensor4d(cos, shape), sin: tf.tensor4d(sin, shape) };
}

const positions = [
  [0, 1, 2, 3, 4, 5],
  [0, 17, 999, 4095, 20000, 32000],
];
const cases: Case[] = [
  {
    name: 'rmsNorm+grad [2,5,896]',
    atol: 1e-4,
    rtol: 1e-4,
    run: (fused) => {
      const f = (a: tf.Tensor, b: tf.Tensor) => (fused ? fusedRmsNorm(a, b, 1e-6) : rmsNormReference(a, b, 1e-6));
      const x = normal(1, [2, 5, 896]);
      const w = tf.add(normal(2, [896], 0.1), 1);
      return [f(x, w), ...grads(f, [x, w], normal(3, [2, 5, 896]))];
    },
  },
  {
    name: 'rope+grad [2,14,6,64]',
    atol: 1e-4,
    rtol: 1e-4,
    run: (fused) => {
      // tables made on the host: tf.cos/tf.sin on a GPU lose accuracy at large angles (see ropeAt)
      const { cos, sin } = hostTables(positions, 64, 1e6);
      const f = (a: tf.Tensor, c: tf.Tensor, s: tf.Tensor) =>
        (fused ? fusedRope : ropeReference)(a as tf.Tensor4D, c as tf.Tensor4D, s as tf.Tensor4D);
      const x = normal(4, [2, 14, 6, 64]);
      return [f(x, cos, sin), ...grads(f, [x, cos, sin], normal(5, [2, 14, 6, 64]))];
    },
  },
  {
    name: 'ropeAt+grad [2,14,6,64] positions to 32000',
    atol: 1e-4,
    rtol: 1e-4,
    run: (fused) => {
      const pos = tf.tensor2d(positions, [2, 6], 'int32');
      const f = (a: tf.Tensor) => (fused ? fusedRopeAt : ropeAtReference)(a as tf.Tensor4D, pos, 1e6);
      const x = normal(6, [2, 14, 6, 64]);
      return [f(x), ...grads(f, [x], normal(7, [2, 14, 6, 64]))];
    },
  },
  {
    name: 'swiGlu+grad [2,3,4864]',
    atol: 1e-4,
    rtol: 1e-4,
    run: (fused) => {
      const f = (a: tf.Tensor, b: tf.Tensor) => (fused ? fusedSwiGlu(a, b) : swiGluReference(a, b));
      const g = normal(8, [2, 3, 4864], 3);
      const u = normal(9, [2, 3, 4864]);
      return [f(g, u), ...grads(f, [g, u], normal(10, [2, 3, 4864]))];
    },
  },
  ...[3001, 151936].map(
    (v): Case => ({
      name: `logProbGather+grad [4,${v}]`,
      atol: 1e-4,
      rtol: 1e-4,
      run: (fused) => {
        const ids = tf.tensor1d([0, v - 1, 17, 1500], 'int32');
        const f = (l: tf.Tensor) => (fused ? logProbGather : logProbGatherReference)(l as tf.Tensor2D, ids);
        const logits = normal(11, [4, v], 4);
        return [f(logits), ...grads(f, [logits], normal(12, [4]))];
      },
    }),
  ),
  ...[0, 0.7, 1].map(
    (temperature): Case => ({
      name: `sampleTokens T=${temperature} [16,2048] (ids exact)`,
      atol: 1e-4,
      rtol: 0,
      run: () => {
        const u = tf.tensor1d(Array.from({ length: 16 }, (_, j) => (j * 0.618034) % 1));
        const s = sampleTokens(normal(13, [16, 2048], 3) as tf.Tensor2D, { temperature, uniforms: u });
        return [s.ids, s.logprobs];
      },
    }),
  ),
  ...(
    [
      [77, 64],
      [600, 64],
      [2100, 64],
      [300, 128],
    ] satisfies [number, number][]
  ).map(
    ([s, d]): Case => ({
      name: `decodeAttention [2,14,1,${d}] over [2,2,${s},${d}]`,
      atol: 1e-4,
      rtol: 1e-4,
      run: (fused) => {
        const q = normal(14, [2, 14, 1, d]) as tf.Tensor4D;
        const k = normal(15, [2, 2, s, d]) as tf.Tensor4D;
        const v = normal(16, [2, 2, s, d]) as tf.Tensor4D;
        const mask = Array.from({ length: 2 * s }, (_, j) => (j >= s && j < s + 10 ? -1e9 : 0));
        const bias = tf.tensor4d(mask, [2, 1, 1, s]);
        return [(fused ? decodeAttention : decodeAttentionReference)(q, k, v, bias, 1 / Math.sqrt(d))];
      },
    }),
  ),
];

await initBackend({ ...initBackendOptionsFromEnv(process.env), device: 'cpu' });
const info = await initBackend({ ...initBackendOptionsFromEnv(process.env), device, allowSoftwareAdapter: true });
let pass = true;
for (const c of cases) {
  try {
    const ref = await compute('cpu', () => c.run(false));
    const got = await compute(info.name, () => c.run(true));
    const errors = got.map((g, o) => {
      const r = at(ref, o, 'reference output');
      // outputs of different sizes have no element-wise error
      if (g.length !== r.length) return { maxAbs: Number.NaN, ok: false };
      let maxAbs = 0;
      let ok = true;
      for (const [j, gj] of g.entries()) {
        const rj = at(r, j, 'reference value');
        const e = Math.abs(gj - rj);
        maxAbs = Math.max(maxAbs, e);
        if (!(e <= c.atol + c.rtol * Math.abs(rj))) ok = false;
      }
      return { maxAbs, ok };
    });
    const ok = errors.every((e) => e.ok);
    pass &&= ok;
    console.log(
      JSON.stringify({
        case: c.name,
        backend: info.name,
        adapter: info.adapter?.description ?? null,
        pass: ok,
        maxAbsErr: errors.map((e) => e.maxAbs),
        atol: c.atol,
        rtol: c.rtol,
      }),
    );
  } catch (e) {
    pass = false;
    console.log(JSON.stringify({ case: c.name, backend: info.name, pass: false, error: (e as Error).message }));
  }
}
releaseWebGpu();
process.exitCode = pass ? 0 : 1;
