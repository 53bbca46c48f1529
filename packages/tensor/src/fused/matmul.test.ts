import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  configureFastMatMul,
  fastMatMulWins,
  GEMM_BKS,
  GEMM_TILE_CONFIGS,
  GEMM_TILES,
  planGemm,
  tileSharedBytes,
} from './matmul/plan.js';
import { fastMatMulInstalled, installFastMatMul, uninstallFastMatMul } from './matmul.js';
import { closeness, computeOn, normal, useSoftwareWebGpu } from './test-helpers.js';

// WebGPU = Mesa llvmpipe (software adapter); every case compares the installed kernel against tfjs' cpu backend.
useSoftwareWebGpu();
beforeAll(() => {
  // every shape through the tiled GEMM (by default small-M and A^T·B problems stay with tfjs' programs)
  configureFastMatMul({ shapes: 'all' });
  expect(installFastMatMul()).toBe(true);
});

async function expectClose(run: () => tf.Tensor | tf.Tensor[], atol = 1e-4, rtol = 1e-4): Promise<void> {
  const ref = await computeOn('cpu', run);
  const got = await computeOn('webgpu', run);
  expect(got.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const c = closeness(at(got, i, 'got'), at(ref, i, 'ref'), atol, rtol);
    expect(c.excess, `output ${i}: max abs error ${c.maxAbs} at ${c.at}`).toBeLessThanOrEqual(0);
  }
}

/** [M, K, N] with A [M, K] (or [K, M] transposed) and B [K, N] (or [N, K]). */
function operands(seed: number, m: number, k: number, n: number, tA: boolean, tB: boolean) {
  return {
    a: normal(seed, tA ? [k, m] : [m, k]),
    b: normal(seed + 1, tB ? [n, k] : [k, n]),
  };
}

/**
 * Four odd-shaped products, one per transpose combination (scalar loads; the 512-deep one splits K), plus one
 * aligned [M, K]·[K, N] (vec4 loads); inputs seeded from `seed` on.
 */
function transposeCases(seed: number, [m, k, n]: [number, number, number]): tf.Tensor[] {
  return [
    tf.matMul(normal(seed, [150, 37]), normal(seed + 1, [70, 150]), true, true),
    tf.matMul(normal(seed + 2, [37, 150]), normal(seed + 3, [70, 150]), false, true),
    tf.matMul(normal(seed + 4, [132, 40]), normal(seed + 5, [132, 68]), true, false),
    tf.matMul(normal(seed + 6, [20, 512]), normal(seed + 7, [512, 8]), false, false),
    tf.matMul(normal(seed + 8, [m, k]), normal(seed + 9, [k, n]), false, false),
  ];
}

describe('fast matmul on WebGPU (software adapter) matches the cpu backend', () => {
  it('is installed as the webgpu BatchMatMul/_FusedMatMul kernel (its pipeline runs), idempotently', async () => {
    await computeOn('webgpu', () => tf.matMul(normal(30, [5, 6]), normal(31, [6, 7])));
    const cache = (tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache;
    expect(Object.keys(cache).some((k) => k.startsWith('magicGemm_'))).toBe(true);
    expect(fastMatMulInstalled()).toBe(true);
    expect(installFastMatMul()).toBe(true);
    uninstallFastMatMul();
    uninstallFastMatMul();
    expect(fastMatMulInstalled()).toBe(false);
    expect(installFastMatMul()).toBe(true);
  });

  it("by default leaves skinny-M and A^T·B problems to tfjs' programs (where they measured faster)", () => {
    const prev = configureFastMatMul({ shapes: 'measured' });
    try {
      // decode shapes (M <= 64): ours only inside a dispatch-graph capture (dispatch-graph.test.ts)
      expect(fastMatMulWins(64, 896, false)).toBe(false);
      expect(fastMatMulWins(16, 4864, false)).toBe(false);
      expect(fastMatMulWins(128, 4864, false)).toBe(false);
      expect(fastMatMulWins(64, 151936, false)).toBe(true);
      expect(fastMatMulWins(4096, 4864, false)).toBe(true);
      expect(fastMatMulWins(896, 4864, true)).toBe(false);
      expect(fastMatMulWins(151936, 896, true)).toBe(true); // the vocabulary head's weight gradient
      configureFastMatMul({ shapes: 'all' });
      expect(fastMatMulWins(64, 896, false)).toBe(true);
      expect(fastMatMulWins(896, 4864, true)).toBe(true);
    } finally {
      configureFastMatMul(prev);
    }
  });

  it('picks split-K for skinny decode shapes and big tiles for training shapes', () => {
    expect(planGemm(1, 64, 896, 4864)?.splits).toBeGreaterThan(1);
    expect(planGemm(1, 64, 151936, 896)?.splits).toBe(1);
    // 256x128 tiles at chunk depth 16 where 48 KiB of workgroup memory allow it, at depth 8 where 24 KiB do
    expect(planGemm(1, 16384, 896, 4864, 49152)).toMatchObject({ tile: GEMM_TILE_CONFIGS.t256x128, bk: 16, splits: 1 });
    expect(planGemm(1, 16384, 896, 4864, 32768)).toMatchObject({ tile: GEMM_TILE_CONFIGS.t256x128, bk: 8 });
    // fewer rows: the largest tile that still gives 256 workgroups
    expect(planGemm(1, 4096, 4864, 896, 49152)?.tile).toBe(GEMM_TILE_CONFIGS.t256x128);
    expect(planGemm(1, 4096, 896, 896, 49152)?.tile).toBe(GEMM_TILE_CONFIGS.t128x64);
    // too few tiles: a deep K splits over the largest tile (the vocabulary head's dRows), a shallow one takes 64x64
    const noDeep = configureFastMatMul({ deepKWorkgroups: 0, shapes: 'all' });
    expect(planGemm(1, 441, 896, 151936, 49152)).toMatchObject({ tile: GEMM_TILE_CONFIGS.t256x128, splits: 19 });
    expect(planGemm(1, 128, 896, 16384, 49152)?.tile).toBe(GEMM_TILE_CONFIGS.t128x128); // 128 rows: not 256-row tiles
    configureFastMatMul(noDeep);
    expect(planGemm(1, 256, 896, 2048, 49152)?.tile).toBe(GEMM_TILE_CONFIGS.t64x64);
    // deepKWorkgroups (default 2048): deep-K problems split until they have that many workgroups, and deep-K
    // A^T·B weight gradients go to the tiled GEMM
    const prev = configureFastMatMul({ shapes: 'measured' });
    try {
      const wg = defined(planGemm(1, 9728, 896, 16384, 49152), 'plan');
      expect(wg.tilesM * wg.tilesN * wg.splits).toBeGreaterThanOrEqual(2048);
      expect(planGemm(1, 16384, 896, 896, 49152)?.splits).toBe(1); // shallow K: no split
      expect(fastMatMulWins(896, 4864, true, 16384)).toBe(true);
      expect(fastMatMulWins(896, 4864, true, 4096)).toBe(false);
      configureFastMatMul({ shapes: 'measured', deepKWorkgroups: 0 });
      expect(planGemm(1, 9728, 896, 16384, 49152)?.splits).toBe(1);
      expect(fastMatMulWins(896, 4864, true, 16384)).toBe(false);
    } finally {
      configureFastMatMul(prev);
    }
    expect(() => configureFastMatMul({ deepKWorkgroups: -1 })).toThrow(/deepKWorkgroups/);
    // only tiles that fit the device's workgroup memory
    const small = planGemm(1, 4096, 4864, 896, 16384);
    expect(small && tileSharedBytes(small.tile, small.bk)).toBeLessThanOrEqual(16384);
    expect(planGemm(1, 4096, 4864, 896, 4096)).toBeUndefined();
  });

  it.each([
    [1, 1, 1],
    [3, 5, 7],
    [65, 130, 33],
    [16, 64, 132],
    [128, 48, 256],
    [5, 600, 9],
  ])('M=%s K=%s N=%s, all four transpose combinations', async (m, k, n) => {
    await expectClose(() =>
      [false, true].flatMap((tA) =>
        [false, true].map((tB) => {
          const { a, b } = operands(m * 7 + k, m, k, n, tA, tB);
          return tf.matMul(a, b, tA, tB);
        }),
      ),
    );
  });

  it.each(GEMM_TILES)('forced tile %s: odd (scalar loads) and aligned (vec4) shapes, split-K', async (tile) => {
    // the deepest chunk whose tiles fit this adapter's workgroup memory; the test fails if the tile's program never ran
    const limit = (tf.backend() as unknown as { device: { limits: { maxComputeWorkgroupStorageSize: number } } }).device
      .limits.maxComputeWorkgroupStorageSize;
    const c = GEMM_TILE_CONFIGS[tile];
    const bk = defined(
      [...GEMM_BKS].reverse().find((d) => tileSharedBytes(c, d) <= limit),
      'a bk that fits',
    );
    expect(bk).toBeDefined();
    const prev = configureFastMatMul({ tile, bk, splitTarget: 64, shapes: 'all' });
    const cache = (tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache;
    const key = `magicGemm_${c.wx}_${c.wy}_${c.rm}_${c.rn}_bk${bk}_`;
    for (const k of Object.keys(cache)) if (k.startsWith(key)) delete cache[k];
    try {
      await expectClose(() => transposeCases(40, [300, 64, 280])); // the aligned one: more than one tile each way
      expect(Object.keys(cache).some((k) => k.startsWith(key))).toBe(true);
    } finally {
      configureFastMatMul(prev);
    }
  });

  it.each(GEMM_BKS.flatMap((bk) => [false, true].map((unroll) => [bk, unroll] as const)))(
    'chunk depth %i, unrolled %s: all four transposes, odd and aligned shapes, split-K',
    async (bk, unroll) => {
      const prev = configureFastMatMul({ tile: 't128x64', bk, unroll, splitTarget: 64, shapes: 'all' });
      try {
        await expectClose(() => transposeCases(50, [136, 64, 132]));
      } finally {
        configureFastMatMul(prev);
      }
    },
  );

  it('deep-K split (deepKWorkgroups): A^T·B and A·B with K split over many workgroups match the cpu backend', async () => {
    const prev = configureFastMatMul({ deepKWorkgroups: 64, shapes: 'measured' });
    try {
      await expectClose(
        () => [
          tf.matMul(normal(60, [8200, 40]), normal(61, [8200, 36]), true, false),
          tf.matMul(normal(62, [300, 8192]), normal(63, [8192, 20]), false, false),
        ],
        2e-3,
        1e-3,
      );
    } finally {
      configureFastMatMul(prev);
    }
  });

  it('rejects unknown tuning options', () => {
    expect(() => configureFastMatMul({ bk: 32 as never })).toThrow(/bk must be one of/);
    expect(() => configureFastMatMul({ tile: 't1x1' as never })).toThrow(/tile must be one of/);
    expect(() => configureFastMatMul({ splitTarget: 0 })).toThrow(/splitTarget/);
  });

  it('decode shape x[64,896] · W[151,896]^T and a split-K one (K = 4864)', async () => {
    await expectClose(() => {
      const x = normal(1, [64, 896]);
      const w = normal(2, [151, 896]);
      const x2 = normal(3, [64, 4864]);
      const w2 = normal(4, [40, 4864]);
      return [tf.matMul(x, w, false, true), tf.matMul(x2, w2, false, true)];
    }, 2e-4);
  });

  it('K = 0 gives zeros (plus the bias)', async () => {
    await expectClose(() => [
      tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 5])),
      tf.fused.matMul({ a: tf.zeros([3, 0]), b: tf.zeros([0, 5]), bias: normal(39, [5]) }),
    ]);
  });

  it('batched with a broadcast batch of 1, rank 4, and K not a multiple of the chunk', async () => {
    await expectClose(() => [
      tf.matMul(normal(5, [3, 17, 9]), normal(6, [1, 9, 23])),
      tf.matMul(normal(7, [1, 17, 9]), normal(8, [3, 23, 9]), false, true),
      tf.matMul(normal(9, [2, 3, 10, 33]), normal(10, [2, 3, 10, 12]), true, false),
    ]);
  });

  it('fused bias: rank-1 [N], full [M,N], batched [B,M,N], [B,1,N], [M,1] and a split-K case', async () => {
    await expectClose(() => {
      const { a, b } = operands(11, 65, 40, 30, false, false);
      const batched = normal(14, [2, 20, 12]);
      const wb = normal(15, [12, 8]);
      return [
        tf.fused.matMul({ a, b, bias: normal(12, [30]) }),
        tf.fused.matMul({ a, b, bias: normal(13, [65, 30]), activation: 'linear' }),
        tf.fused.matMul({ a: batched, b: wb, bias: normal(16, [2, 20, 8]) }),
        tf.fused.matMul({ a: batched, b: wb, bias: normal(32, [2, 1, 8]) }),
        tf.fused.matMul({ a: batched, b: wb, bias: normal(33, [20, 1]) }),
        tf.fused.matMul({ a: normal(34, [6, 1, 12]), b: wb, bias: normal(35, [6, 1, 8]) }),
        tf.fused.matMul({
          a: normal(36, [2, 3, 12, 4]),
          b: normal(37, [8, 12]),
          transposeA: true,
          transposeB: true,
          bias: normal(38, [8]),
        }),
        tf.fused.matMul({
          a: normal(17, [8, 1024]),
          b: normal(18, [12, 1024]),
          transposeB: true,
          bias: normal(19, [12]),
        }),
      ];
    });
  });

  it('gradients through matMul (tf.grads on webgpu with the kernel installed vs cpu)', async () => {
    await expectClose(() => {
      // (tfjs' BatchMatMul gradient does not sum over a broadcast batch, so both sides are batched or rank 2)
      const a = normal(20, [99, 70]);
      const b = normal(21, [70, 45]);
      const dy = normal(22, [99, 45]);
      const ab = normal(23, [3, 33, 70]);
      const wb = normal(24, [3, 45, 70]);
      const dyb = normal(25, [3, 33, 45]);
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), dy)))([a, b]);
      const [da2, dw2] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, false, true), dyb)))([
        ab,
        wb,
      ]);
      return [defined(da, 'da'), defined(db, 'db'), defined(da2, 'da2'), defined(dw2, 'dw2')];
    });
  });

  it('falls back to the original kernel for int32 and for a relu activation', async () => {
    const ints = () =>
      tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), tf.tensor2d([1, 0, 2, 1, 0, 3], [3, 2], 'int32'));
    const [ref] = await computeOn('cpu', ints);
    const [got] = await computeOn('webgpu', ints);
    expect(Array.from(defined(got, 'got'))).toEqual(Array.from(defined(ref, 'ref')));
    await expectClose(() => {
      const { a, b } = operands(26, 20, 30, 40, false, true);
      return tf.fused.matMul({ a, b, transposeB: true, bias: normal(27, [40]), activation: 'relu' });
    });
  });

  it('splits a dispatch past 65535 workgroups (tfjs spreads it over y)', async () => {
    // 66000 batches of one 16x128 tile each: 66000 workgroups
    await expectClose(() => tf.matMul(normal(28, [66000, 1, 4]), normal(29, [1, 4, 3])));
  }, 30_000);
});
