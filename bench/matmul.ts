// Tiled WGSL GEMM (@magic/tensor installFastMatMul) vs tfjs' own webgpu matmul programs, at Qwen2.5-0.5B shapes:
// `npx tsx bench/matmul.ts --device webgpu [--runs 5 --iters 10 --scale 1 --only all|decode|train]`
// (GPU: node scripts/device-bundle.mjs bench/matmul.ts .bundle/matmul.mjs). One JSON line per shape [M,K,N,tA,tB]:
// median of >= 3 warm runs (after one warm-up that compiles) of the wall ms per call, each run being `iters`
// calls synchronised once by reading back one element of the last output; TFLOP/s = 2 M N K / time; maxAbsErr
// is the fast kernel's largest difference from tfjs' kernel on the same inputs. `--scale s` divides M, K, N by s
// (smoke runs on the software adapter). Tuning: `--sweep 1` adds one line per forced tile shape (fast kernel only),
// (x chunk depth bk 8/16 x unrolled K loop or not; `--tiles a,b` only those tiles), `--tokens n` sets the rows of
// the training shapes (default 4096 = one micro-batch of 16 x 256), `--splitTarget n` changes the workgroup count the tile choice and K split aim for (default 256).
import { at } from '@magic/core';
import { type Device, initBackend, initBackendOptionsFromEnv, releaseWebGpu } from '@magic/tensor';
import {
  configureFastMatMul,
  fastMatMulInstalled,
  GEMM_BKS,
  GEMM_TILES,
  type GemmTile,
  installFastMatMul,
  uninstallFastMatMul,
} from '@magic/tensor/webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { deviceFlag, flagPairs, median, positiveIntFlag } from './lm-args.js';
import { tensorOpTimes } from './tensor-op-times.js';

type Shape = [m: number, k: number, n: number, tA: boolean, tB: boolean, kind: 'decode' | 'train'];

const SHAPES: Shape[] = [
  [64, 896, 896, false, true, 'decode'],
  [64, 896, 4864, false, true, 'decode'],
  [64, 4864, 896, false, true, 'decode'],
  [64, 896, 151936, false, true, 'decode'],
  [4096, 896, 4864, false, true, 'train'],
  [4096, 4864, 896, false, true, 'train'],
  [896, 4096, 4864, true, false, 'train'],
  [4864, 4096, 896, true, false, 'train'],
  [896, 4096, 896, true, false, 'train'],
  [128, 4096, 896, true, false, 'train'],
  [4096, 896, 896, false, true, 'train'],
  [4096, 896, 128, false, true, 'train'],
  [4096, 896, 1152, false, true, 'train'],
  [4096, 896, 9728, false, true, 'train'],
  [4096, 4864, 896, false, false, 'train'],
  // the vocabulary head in @magic/lm's chunked log-probs (441-row chunks: 2^26 logits, the chunk size when these
  // shapes were first measured): logits, dRows, dHead
  [441, 896, 151936, false, true, 'train'],
  [441, 151936, 896, false, false, 'train'],
  [151936, 441, 896, true, false, 'train'],
];

function parseArgs(argv: string[]) {
  const out = {
    device: 'webgpu' as Device,
    runs: 5,
    iters: 10,
    scale: 1,
    only: 'all',
    sweep: 0,
    splitTarget: 0,
    tokens: 4096,
    tiles: [...GEMM_TILES] as GemmTile[],
  };
  for (const [key, value] of flagPairs(argv)) {
    if (key === 'device') {
      out.device = deviceFlag(value);
    } else if (key === 'tokens') {
      out.tokens = positiveIntFlag(key, value);
    } else if (key === 'tiles') {
      const tiles = value.split(',');
      const bad = tiles.find((t) => !(GEMM_TILES as readonly string[]).includes(t));
      if (bad) throw new Error(`--tiles: unknown tile ${bad} (known: ${GEMM_TILES.join(', ')})`);
      out.tiles = tiles as GemmTile[];
    } else if (key === 'only') {
      if (!['all', 'decode', 'train'].includes(value)) throw new Error('--only must be all, decode or train');
      out.only = value;
    } else if (key === 'runs' || key === 'iters' || key === 'scale' || key === 'sweep' || key === 'splitTarget') {
      out[key] = positiveIntFlag(key, value, key === 'sweep');
    } else {
      throw new Error(
        `unknown option --${key} (known: device, runs, iters, scale, only, sweep, splitTarget, tokens, tiles)`,
      );
    }
  }
  return out;
}

/** Wall ms per call: `iters` calls queued back to back, then one read-back of one element of the last output. */

async function maxAbsDiff(x: tf.Tensor, y: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))));
  const v = at(await d.data(), 0, 'max abs difference');
  d.dispose();
  return v;
}

const args = parseArgs(process.argv.slice(2));
const info = await initBackend({ ...initBackendOptionsFromEnv(process.env), device: args.device });
if (info.name === 'webgpu' && !installFastMatMul()) throw new Error('installFastMatMul: webgpu kernels not found');
const round = (x: number, d = 3) => Number(x.toFixed(d));
if (args.splitTarget > 0) configureFastMatMul({ splitTarget: args.splitTarget });

for (const [m1, k1, n1, tA, tB, kind] of SHAPES) {
  if (args.only !== 'all' && args.only !== kind) continue;
  // training shapes: 4096 stands for the tokens of one micro-batch (--tokens)
  const size = (x: number) => Math.max(1, Math.round((kind === 'train' && x === 4096 ? args.tokens : x) / args.scale));
  const [m, k, n] = [size(m1), size(k1), size(n1)];
  const a = tf.randomNormal(tA ? [k, m] : [m, k], 0, 1, 'float32', 1);
  const b = tf.randomNormal(tB ? [n, k] : [k, n], 0, 1, 'float32', 2);
  const fn = () => tf.matMul(a, b, tA, tB);
  try {
    installFastMatMul();
    const fast = await tensorOpTimes(fn, args.runs, args.iters);
    const fastOut = fn();
    uninstallFastMatMul();
    const tfjs = await tensorOpTimes(fn, args.runs, args.iters);
    const tfjsOut = fn();
    installFastMatMul();
    const maxAbsErr = await maxAbsDiff(fastOut, tfjsOut);
    tf.dispose([fastOut, tfjsOut]);
    const flops = 2 * m * n * k;
    const fm = median(fast);
    const tm = median(tfjs);
    console.log(
      JSON.stringify({
        op: 'matmul',
        kind,
        shape: { m, k, n, transposeA: tA, transposeB: tB },
        backend: info.name,
        adapter: info.adapter?.description ?? null,
        fastMs: round(fm),
        fastTflops: round(flops / (fm * 1e-3) / 1e12),
        tfjsMs: round(tm),
        tfjsTflops: round(flops / (tm * 1e-3) / 1e12),
        speedup: round(tm / fm, 2),
        maxAbsErr,
        iters: args.iters,
        fastRuns: fast.map((x) => round(x)),
        tfjsRuns: tfjs.map((x) => round(x)),
      }),
    );
    const variants = args.sweep
      ? args.tiles.flatMap((tile) => GEMM_BKS.flatMap((bk) => [false, true].map((unroll) => ({ tile, bk, unroll }))))
      : [];
    for (const variant of variants) {
      const prev = configureFastMatMul({
        ...(args.splitTarget > 0 ? { splitTarget: args.splitTarget } : {}),
        ...variant,
        shapes: 'all',
      });
      try {
        const ms = median(await tensorOpTimes(fn, args.runs, args.iters));
        console.log(
          JSON.stringify({
            op: 'matmul-tile',
            kind,
            shape: { m, k, n, transposeA: tA, transposeB: tB },
            ...variant,
            fastMs: round(ms),
            fastTflops: round(flops / (ms * 1e-3) / 1e12),
          }),
        );
      } finally {
        configureFastMatMul(prev);
      }
    }
  } catch (e) {
    console.log(
      JSON.stringify({
        op: 'matmul',
        kind,
        shape: { m, k, n },
        error: `${(e as Error).name}: ${(e as Error).message}`,
      }),
    );
    process.exitCode = 1;
  } finally {
    tf.dispose([a, b]);
  }
}
if (!fastMatMulInstalled() && info.name === 'webgpu') installFastMatMul();
releaseWebGpu();
