import { at, defined } from '@magic/core';
import { initBackend } from '@magic/tensor';
import { expectNoLeaks } from '@magic/tensor/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';
import { balancedChunk, type TokenLogProbsOptions } from './scoring.js';
import { paddedBatch } from './test-batch.js';

beforeAll(() => initBackend({ device: 'cpu' }));

const { ids, mask } = paddedBatch;

/** Values, entropy and the gradients of a weighted log-prob sum for one option set (same model and batch). */
async function run(lm: CausalLM, opts: TokenLogProbsOptions, weightsFrom = 0) {
  return expectNoLeaks(async () => {
    const inputIds = tf.tensor2d(ids, undefined, 'int32');
    const attentionMask = tf.tensor2d(mask, undefined, 'int32');
    // loss weights, 0 before column `weightsFrom`
    const weights = tf.tidy(() =>
      tf.mul(
        tf.randomUniform([2, 8], -1, 1, 'float32', 3),
        tf.tensor2d([0, 1].map(() => Array.from({ length: 8 }, (_, t) => (t >= weightsFrom ? 1 : 0)))),
      ),
    );
    let lp: number[][] = [];
    let ent: number[][] | undefined;
    const { grads, value } = tf.variableGrads(() => {
      const out = lm.tokenLogProbs(inputIds, attentionMask, opts);
      lp = out.logProbs.arraySync() as number[][];
      ent = out.entropy?.arraySync() as number[][] | undefined;
      return tf.sum(tf.mul(out.logProbs, weights)) as tf.Scalar;
    }, lm.trainableVariables);
    const g = await Promise.all(lm.trainableVariables.map((v) => defined(grads[v.name], 'grads').data()));
    tf.dispose([inputIds, attentionMask, weights, value, ...Object.values(grads)]);
    return { lp, ent, g };
  });
}

/** tf.profile of one backward pass of the summed log-probs under `opts` (same model and batch). */
async function profileGrads(lm: CausalLM, opts: TokenLogProbsOptions) {
  const inputIds = tf.tensor2d(ids, undefined, 'int32');
  const attentionMask = tf.tensor2d(mask, undefined, 'int32');
  const info = await tf.profile(() => {
    const { grads, value } = tf.variableGrads(
      () => tf.sum(lm.tokenLogProbs(inputIds, attentionMask, opts).logProbs) as tf.Scalar,
      lm.trainableVariables,
    );
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose([inputIds, attentionMask]);
  return info;
}

/** Largest |a - b| over two gradient arrays. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let j = 0; j < b.length; j++) worst = Math.max(worst, Math.abs(at(a, j, 'a') - at(b, j, 'b')));
  return worst;
}

it('the lean log-prob path (recomputed logits, one-pass dLogits) matches autodiff of the chunked ops', async () => {
  const lm = await CausalLM.fromPreset('tiny', { seed: 5 });
  try {
    // 14 rows in chunks of 3 (the last one partial); reference: entropy with gradient = autodiff of the chunked ops
    const ref = await run(lm, { withEntropy: true, entropyGrad: true, chunkRows: 3 });
    for (const opts of [
      { chunkRows: 3 },
      { withEntropy: true, entropyGrad: false, chunkRows: 3 },
      { withEntropy: true, entropyGrad: false }, // one chunk
      { chunkRows: 3, keepLogits: true },
      { withEntropy: true, entropyGrad: false, chunkRows: 3, keepLogits: true },
    ]) {
      const got = await run(lm, opts);
      for (const [i, row] of got.lp.entries()) {
        for (const [t, x] of row.entries()) expect(x).toBeCloseTo(at(at(ref.lp, i, 'ref.lp'), t, 'ref.lp[i]'), 5);
      }
      if (opts.withEntropy) {
        for (const [i, row] of defined(got.ent, 'got.ent').entries()) {
          for (const [t, x] of row.entries())
            expect(x).toBeCloseTo(at(at(defined(ref.ent, 'ref.ent'), i, 'ref.ent'), t, 'ref.ent[i]'), 4);
        }
      } else expect(got.ent).toBeUndefined();
      for (const [k, g] of got.g.entries()) {
        expect(maxDiff(g, at(ref.g, k, 'ref.g')), `variable ${k}, ${JSON.stringify(opts)}`).toBeLessThan(1e-4);
      }
    }
  } finally {
    lm.dispose();
  }
});

it('fromPosition: the same log-probs, entropy and loss gradients from that column on, zeros before', async () => {
  const lm = await CausalLM.fromPreset('tiny', { seed: 7 });
  try {
    for (const from of [0, 1, 4, 7, 20]) {
      const used = Math.min(Math.max(from, 1), 7); // clamped to [1, T - 1]
      for (const base of [{ chunkRows: 3 }, { withEntropy: true, entropyGrad: false }, { withEntropy: true }]) {
        const ref = await run(lm, base, used);
        const got = await run(lm, { ...base, fromPosition: from }, used);
        for (const [i, row] of got.lp.entries()) {
          for (const [t, x] of row.entries()) {
            expect(x).toBeCloseTo(t >= used ? at(at(ref.lp, i, 'ref.lp'), t, 'ref.lp[i]') : 0, 5);
            if (got.ent)
              expect(at(at(got.ent, i, 'got.ent'), t, 'got.ent[i]')).toBeCloseTo(
                t >= used ? at(at(defined(ref.ent, 'ref.ent'), i, 'ref.ent'), t, 'ref.ent[i]') : 0,
                4,
              );
          }
        }
        for (const [k, g] of got.g.entries()) {
          expect(
            maxDiff(g, at(ref.g, k, 'ref.g')),
            `from ${from}, variable ${k}, ${JSON.stringify(base)}`,
          ).toBeLessThan(1e-5);
        }
      }
    }
    const inputIds = tf.tensor2d(ids, undefined, 'int32');
    const attentionMask = tf.tensor2d(mask, undefined, 'int32');
    expect(() => lm.tokenLogProbs(inputIds, attentionMask, { fromPosition: -1 })).toThrow(/fromPosition/);
    expect(() => lm.tokenLogProbs(inputIds, attentionMask, { fromPosition: 1.5 })).toThrow(/fromPosition/);
    tf.dispose([inputIds, attentionMask]);
  } finally {
    lm.dispose();
  }
});

it('keepLogits: the backward reuses the forward logits (one head matmul fewer per chunk), nothing kept without a gradient', async () => {
  const lm = await CausalLM.fromPreset('tiny', { seed: 8 });
  try {
    const matMuls = async (keepLogits: boolean) =>
      (await profileGrads(lm, { chunkRows: 5, keepLogits })).kernels.filter((k) => k.name === 'BatchMatMul').length;
    expect(await matMuls(false)).toBe((await matMuls(true)) + 3); // 14 rows in chunks of 5
    // every chunk's logits are 5 rows high (the last one zero-padded): one buffer size for the pool
    const inputIds = tf.tensor2d(ids, undefined, 'int32');
    const attentionMask = tf.tensor2d(mask, undefined, 'int32');
    const info = await tf.profile(() => {
      tf.dispose(lm.tokenLogProbs(inputIds, attentionMask, { chunkRows: 5 }).logProbs);
    });
    tf.dispose([inputIds, attentionMask]);
    const vocab = lm.config.vocabSize;
    const headOuts = info.kernels
      .filter((k) => k.name === 'BatchMatMul')
      .map((k) => at(k.outputShapes, 0, 'k.outputShapes'))
      .filter((shape) => shape[shape.length - 1] === vocab);
    expect(headOuts.length).toBe(3);
    for (const shape of headOuts) expect(shape[shape.length - 2]).toBe(5);
    // a forward without a gradient keeps nothing
    await expectNoLeaks(async () => {
      const inputIds = tf.tensor2d(ids, undefined, 'int32');
      const attentionMask = tf.tensor2d(mask, undefined, 'int32');
      tf.dispose([lm.tokenLogProbs(inputIds, attentionMask, { keepLogits: true }).logProbs, inputIds, attentionMask]);
    });
  } finally {
    lm.dispose();
  }
});

it('gradient checkpointing (layers recomputed in backward) gives the same values and gradients', async () => {
  const lm = await CausalLM.fromPreset('tiny', { seed: 6 });
  try {
    const ref = await run(lm, { chunkRows: 5 });
    const got = await run(lm, { chunkRows: 5, checkpoint: true });
    expect(got.lp).toEqual(ref.lp); // the forward is the same computation
    for (const [k, g] of got.g.entries()) {
      expect(maxDiff(g, at(ref.g, k, 'ref.g')), `variable ${k}`).toBeLessThan(1e-5);
    }
    // the default comes from the model
    lm.gradientCheckpointing = true;
    const viaModel = await run(lm, { chunkRows: 5 });
    expect(viaModel.g.map((g) => Array.from(g))).toEqual(got.g.map((g) => Array.from(g)));
  } finally {
    lm.dispose();
  }
});

it('gradient checkpointing lowers the peak tensor memory of a backward pass', async () => {
  const lm = await CausalLM.fromPreset('tiny', { seed: 6 });
  try {
    const peak = async (checkpoint: boolean) => (await profileGrads(lm, { checkpoint })).peakBytes;
    const full = await peak(false);
    const recomputed = await peak(true);
    expect(lm.config.numHiddenLayers).toBeGreaterThan(1);
    expect(recomputed).toBeLessThan(full);
  } finally {
    lm.dispose();
  }
});

it('balancedChunk: as few chunks as the limit allows, as even as possible', () => {
  expect(balancedChunk(8192, 883)).toBe(820); // 10 chunks
  expect(balancedChunk(8192, 1024)).toBe(1024);
  expect(balancedChunk(100, 1000)).toBe(100);
  expect(balancedChunk(5, 0)).toBe(1);
});
