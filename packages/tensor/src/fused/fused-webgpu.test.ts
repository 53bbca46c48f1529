import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { axpyInPlace, axpyReference } from './axpy.js';
import { decodeAttention, decodeAttentionReference } from './decode-attention.js';
import { embeddingGradient, embeddingGradientReference } from './embedding-grad.js';
import { logProbGather, logProbGatherReference } from './log-prob-gather.js';
import { fusedRmsNorm, rmsNormReference } from './rms-norm.js';
import { fusedRope, ropeReference } from './rope.js';
import { fusedRopeAt, ropeAtReference } from './rope-at.js';
import { sampleIdsReference, sampleTokens } from './sample-tokens.js';
import { sumOfSquares, sumOfSquaresReference } from './sum-of-squares.js';
import { fusedSwiGlu, packedSwiGlu, packedSwiGluReference, swiGluReference } from './swiglu.js';
import { closeness, computeOn, normal, ropeTablesFor, uniformsFor, useSoftwareWebGpu } from './test-helpers.js';

// One WebGPU start for all fused kernels (software adapter: Mesa llvmpipe); each case compares against cpu.
useSoftwareWebGpu();

async function expectClose(
  run: (fused: boolean) => tf.Tensor | tf.Tensor[],
  atol: number,
  rtol: number,
): Promise<void> {
  const ref = await computeOn('cpu', () => run(false));
  const got = await computeOn('webgpu', () => run(true));
  expect(got.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const c = closeness(at(got, i, 'got'), at(ref, i, 'ref'), atol, rtol);
    expect(c.excess, `output ${i}: max abs error ${c.maxAbs} at ${c.at}`).toBeLessThanOrEqual(0);
  }
}

describe('fused kernels on WebGPU (software adapter) match the unfused cpu reference', () => {
  // 150 rows: the weight gradient sums three row chunks of 64, the last one partial
  it.each([[[2, 5, 896]], [[3, 50, 40]]])('fusedRmsNorm: value and gradients, x %j', async (shape) => {
    const h = at(shape, 2, 'shape');
    await expectClose(
      (fused) => {
        const x = normal(1, shape);
        const w = tf.add(normal(2, [h], 0.1), 1);
        const f = (a: tf.Tensor, b: tf.Tensor) => (fused ? fusedRmsNorm(a, b, 1e-6) : rmsNormReference(a, b, 1e-6));
        const dy = normal(3, shape);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), dy)))([x, w]);
        return [f(x, w), defined(dx, 'dx'), defined(dw, 'dw')];
      },
      1e-4,
      1e-4,
    );
  });

  it('fusedRope: value and gradients (x, cos, sin)', async () => {
    const shape = [2, 14, 5, 64];
    await expectClose(
      (fused) => {
        const x = normal(4, shape) as tf.Tensor4D;
        const { cos, sin } = ropeTablesFor(
          [
            [0, 1, 2, 3, 4],
            [0, 0, 7, 300, 1000],
          ],
          64,
          1e6,
        );
        const f = (a: tf.Tensor, c: tf.Tensor, s: tf.Tensor) =>
          (fused ? fusedRope : ropeReference)(a as tf.Tensor4D, c as tf.Tensor4D, s as tf.Tensor4D);
        const dy = normal(5, shape);
        const g = tf.grads((a: tf.Tensor, c: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(f(a, c, s), dy)));
        return [f(x, cos, sin), ...g([x, cos, sin])];
      },
      1e-4,
      1e-4,
    );
  });

  it('fusedRopeAt: cos/sin in the kernel at positions up to 32000, value and gradient', async () => {
    const shape = [2, 14, 6, 64];
    await expectClose(
      (fused) => {
        const x = normal(20, shape) as tf.Tensor4D;
        const positions = tf.tensor2d(
          [
            [0, 1, 2, 3, 4, 5],
            [0, 0, 17, 999, 4095, 32000],
          ],
          [2, 6],
          'int32',
        );
        const f = (a: tf.Tensor) => (fused ? fusedRopeAt : ropeAtReference)(a as tf.Tensor4D, positions, 1e6);
        const dy = normal(21, shape);
        const [dx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))([x]);
        return [f(x), defined(dx, 'dx')];
      },
      1e-4,
      1e-4,
    );
  });

  it('fusedSwiGlu: value and gradients', async () => {
    const shape = [2, 3, 4864];
    await expectClose(
      (fused) => {
        const gate = normal(6, shape, 3);
        const up = normal(7, shape);
        const f = (a: tf.Tensor, b: tf.Tensor) => (fused ? fusedSwiGlu(a, b) : swiGluReference(a, b));
        const dy = normal(8, shape);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), dy)));
        return [f(gate, up), ...g([gate, up])];
      },
      1e-4,
      1e-4,
    );
  });

  // V = 3001: scalar loads; V = 3000: vec4 loads and stores (and id 3000 is out of range there)
  it.each([3001, 3000])('logProbGather: value and gradient (V = %i, an id out of range picks 0)', async (v) => {
    const n = 6;
    await expectClose(
      (fused) => {
        const logits = normal(9, [n, v], 4) as tf.Tensor2D;
        const ids = tf.tensor1d([0, 3000, 17, 1500, 42, 2999], 'int32');
        const f = (l: tf.Tensor) => (fused ? logProbGather : logProbGatherReference)(l as tf.Tensor2D, ids);
        const dy = normal(10, [n]);
        const [dl] = tf.grads((l: tf.Tensor) => tf.sum(tf.mul(f(l), dy)))([logits]);
        const outOfRange = (fused ? logProbGather : logProbGatherReference)(
          tf.slice(logits, [0, 0], [1, -1]),
          tf.tensor1d([v + 5], 'int32'),
        );
        return [f(logits), defined(dl, 'dl'), outOfRange];
      },
      1e-4,
      1e-4,
    );
  });

  it('axpyInPlace: a·t + b·x and a·t in the target buffer, like the reference', async () => {
    const wrote: boolean[] = [];
    await expectClose(
      (fused) => {
        const t = normal(26, [3, 77]);
        const x = normal(27, [231]); // same size, other shape
        const s = normal(28, [5]);
        if (!fused) return [axpyReference(t, x, 0.5, 2), axpyReference(s, undefined, -3)];
        wrote.push(axpyInPlace(t, x, 0.5, 2), axpyInPlace(s, undefined, -3));
        return [t, s];
      },
      1e-6,
      1e-6,
    );
    expect(wrote).toEqual([true, true]);
  });

  it('axpyInPlace declines (false, target unchanged) when another tensor shares the buffer, and off WebGPU', async () => {
    await tf.setBackend('webgpu');
    const t = tf.tensor1d([1, 2, 3]);
    const alias = tf.reshape(t, [3, 1]);
    const [three, four] = [tf.ones([3]), tf.ones([4])];
    expect(axpyInPlace(t, three, 2)).toBe(false);
    expect(Array.from(await t.data())).toEqual([1, 2, 3]);
    expect(() => axpyInPlace(t, four, 1)).toThrow(/x has 4 elements/);
    tf.dispose([t, alias, three, four]);
    const onCpu = await computeOn('cpu', () => {
      const c = tf.tensor1d([1]);
      return [tf.scalar(axpyInPlace(c, undefined, 2) ? 1 : 0), c];
    });
    expect(Array.from(at(onCpu, 0, 'onCpu'))).toEqual([0]);
    expect(Array.from(at(onCpu, 1, 'onCpu'))).toEqual([1]);
  });

  // 1 element, one partial workgroup, and 300,001 elements (74 workgroups of strided partial sums, ragged end)
  it.each([[[1]], [[37, 5]], [[300_001]]])('sumOfSquares of x %j matches square + sum', async (shape) => {
    await expectClose(
      (fused) => {
        const x = normal(25, shape);
        return fused ? sumOfSquares(x) : sumOfSquaresReference(x);
      },
      1e-3,
      1e-5,
    );
  });

  it.each([[[5, 1, 2 * 37]], [[2, 7, 2 * 4864]]])(
    'packedSwiGlu: gate and up halves of one projection %j, value and gradient',
    async (shape) => {
      await expectClose(
        (fused) => {
          const gu = normal(23, shape, 2);
          const f = (x: tf.Tensor) => (fused ? packedSwiGlu(x) : packedSwiGluReference(x));
          const dy = normal(24, [...shape.slice(0, -1), at(shape, 2, 'shape') / 2]);
          const [dgu] = tf.grads((x: tf.Tensor) => tf.sum(tf.mul(f(x), dy)))([gu]);
          return [f(gu), defined(dgu, 'dgu')];
        },
        1e-5,
        1e-5,
      );
    },
  );

  it('embeddingGradient: scatter-add matches the segment sum, with ids repeated many times (atomic contention)', async () => {
    const [n, h, vocab] = [300, 24, 50];
    // a third of the rows share id 0 (as padding does); the rest cycle; id 49 never occurs (its row stays zero)
    const ids = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : (i * 7) % 49));
    await expectClose(
      (fused) => {
        const dy = normal(21, [n, h]) as tf.Tensor2D;
        const idx = tf.tensor1d(ids, 'int32');
        return fused ? embeddingGradient(dy, idx, vocab) : embeddingGradientReference(dy, idx, vocab);
      },
      1e-4,
      1e-4,
    );
  });

  it('logProbGather and fusedRmsNorm past 65535 rows (tfjs splits the dispatch over y)', async () => {
    const n = 70_000;
    await expectClose(
      (fused) => {
        const logits = normal(17, [n, 4], 2) as tf.Tensor2D;
        const ids = tf.tensor1d(
          Array.from({ length: n }, (_, i) => i % 4),
          'int32',
        );
        const x = normal(18, [n, 8]);
        const w = normal(19, [8]);
        return fused
          ? [logProbGather(logits, ids), fusedRmsNorm(x, w, 1e-6)]
          : [logProbGatherReference(logits, ids), rmsNormReference(x, w, 1e-6)];
      },
      1e-4,
      1e-4,
    );
  });

  it.each([0, 1, 0.7])(
    'sampleTokens at temperature %s: same ids as the cpu reference, logprobs within 1e-4',
    async (temperature) => {
      const [b, v] = [16, 2048];
      const run = () => {
        // well-separated logits (distinct values) so float summation order cannot move a CDF boundary
        const logits = normal(11, [b, v], 3) as tf.Tensor2D;
        const out = sampleTokens(logits, { temperature, uniforms: uniformsFor(12, b) });
        return [out.ids, out.logprobs, tf.argMax(logits, 1)];
      };
      const [refIds, refLp, argmax] = await computeOn('cpu', run);
      const [ids, lp] = await computeOn('webgpu', run);
      expect(ids).toBeInstanceOf(Int32Array);
      expect(Array.from(defined(ids, 'ids'))).toEqual(Array.from(defined(refIds, 'refIds')));
      const c = closeness(defined(lp, 'lp'), defined(refLp, 'refLp'), 1e-4, 0);
      expect(c.excess, `max abs error ${c.maxAbs}`).toBeLessThanOrEqual(0);
      const greedyRows = Array.from(defined(ids, 'ids')).filter((id, i) => id === defined(argmax, 'argmax')[i]).length;
      if (temperature === 0) expect(greedyRows).toBe(b);
      else expect(greedyRows).toBeLessThan(b); // really sampled, not argmax
    },
  );

  it('sampleTokens: a seed gives the same ids on both backends', async () => {
    const run = () => {
      const logits = normal(13, [4, 1000], 2) as tf.Tensor2D;
      const { ids, logprobs } = sampleTokens(logits, { temperature: 1, seed: 7 });
      return [ids, logprobs, sampleIdsReference(logits, tf.randomUniform([4], 0, 1, 'float32', 7) as tf.Tensor1D, 1)];
    };
    const [refIds, , refCheck] = await computeOn('cpu', run);
    const [ids] = await computeOn('webgpu', run);
    expect(Array.from(defined(refIds, 'refIds'))).toEqual(Array.from(defined(refCheck, 'refCheck')));
    expect(Array.from(defined(ids, 'ids'))).toEqual(Array.from(defined(refIds, 'refIds')));
  });

  it.each([
    [77, 64],
    [300, 128],
    [600, 64],
    [40, 6], // head dim not a multiple of 4: the reference runs on WebGPU too
  ])('decodeAttention: GQA (14 heads, 2 kv heads), S = %s, D = %s, masked keys', async (s, d) => {
    const [b, nh, kvh] = [2, 14, 2];
    await expectClose(
      (fused) => {
        const q = normal(14, [b, nh, 1, d]) as tf.Tensor4D;
        const k = normal(15, [b, kvh, s, d]) as tf.Tensor4D;
        const v = normal(16, [b, kvh, s, d]) as tf.Tensor4D;
        // row 1: left padding of 10 keys
        const mask = Array.from({ length: b * s }, (_, i) => (i >= s && i < s + 10 ? -1e9 : 0));
        const bias = tf.tensor4d(mask, [b, 1, 1, s]);
        return (fused ? decodeAttention : decodeAttentionReference)(q, k, v, bias, 1 / Math.sqrt(d));
      },
      1e-4,
      1e-4,
    );
  });
});
