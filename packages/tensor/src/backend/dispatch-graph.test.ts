import { at, defined } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { seededNormal } from '../conformance/inputs.js';
import { axpyInPlace } from '../fused/axpy.js';
import { configureFastMatMul, fastMatMulWins } from '../fused/matmul/plan.js';
import { fusedRmsNorm } from '../fused/rms-norm.js';
import { closeness, normal, useSoftwareWebGpu } from '../fused/test-helpers.js';
import { expectNoLeaks } from '../leaks.js';
import {
  captureDispatchGraph,
  capturingDispatchGraph,
  DispatchGraphError,
  dispatchGraphParkedBuffers,
} from './dispatch-graph.js';
import { capWebGpuBufferPool, trimWebGpuBufferPool, webGpuPoolStats } from './webgpu-pool.js';

// Software WebGPU (Mesa llvmpipe): a captured step replayed with new inputs must give what running it through
// tfjs gives, keep its buffers from other tensors, and refuse what it cannot replay.
useSoftwareWebGpu();

const [rows, cols, out] = [4, 24, 40];

/** A small step with tfjs kernels, a fused kernel and intermediates disposed inside it. */
function step(x: tf.Tensor2D, w: tf.Tensor2D, g: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const h = fusedRmsNorm(x, g, 1e-6) as tf.Tensor2D;
    const y = tf.add(tf.relu(tf.matMul(h, w)), tf.sum(x, 1, true)) as tf.Tensor2D;
    // a second round on the first's disposed intermediates' sizes
    const h2 = fusedRmsNorm(tf.mul(x, 0.5), g, 1e-6) as tf.Tensor2D;
    return tf.add(y, tf.relu(tf.matMul(h2, w))) as tf.Tensor2D;
  });
}

async function eager(xData: Float32Array, w: tf.Tensor2D, g: tf.Tensor1D): Promise<Float32Array> {
  const x = tf.tensor2d(xData, [rows, cols]);
  const y = step(x, w, g);
  const data = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return data;
}

describe('captureDispatchGraph', () => {
  // submitBatch 1: tfjs submits after every dispatch, releasing that dispatch's uniforms and disposed inputs
  // inside its own recordAndSubmit (the buffers must be held from their binding on, not after the dispatch)
  it.each([15, 1])(
    'replays a step with new inputs as tfjs computes it, and leaves other tensors alone (submit batch %i)',
    async (submitBatch) => {
      const batch = tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE');
      tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', submitBatch);
      await expectNoLeaks(async () => {
        const w = normal(1, [cols, out]) as tf.Tensor2D;
        const g = normal(2, [cols]) as tf.Tensor1D;
        const x = tf.tensor2d(seededNormal(3, rows * cols), [rows, cols]);
        const parked = dispatchGraphParkedBuffers();
        const { graph, result: y } = captureDispatchGraph(() => step(x, w, g), { inputs: [x] });
        expect(graph.dispatches).toBeGreaterThanOrEqual(4);
        expect(graph.programs).toContain('magicRmsNorm');
        // intermediates disposed inside the step are held for the graph, not pooled
        expect(dispatchGraphParkedBuffers()).toBeGreaterThan(parked);
        expect(
          closeness(
            ...((await graph.read([y])) as [Float32Array]),
            await eager(seededNormal(3, rows * cols), w, g),
            0,
            0,
          ).excess,
        ).toBeLessThanOrEqual(0);
        for (const seed of [4, 5, 6]) {
          // other work between replays takes buffers of the same sizes from the pool
          const others = [0, 1, 2].map((i) => tf.tidy(() => tf.add(normal(10 + i, [rows, cols]), 1)));
          const othersBefore = await Promise.all(others.map((t) => t.data()));
          const data = seededNormal(seed, rows * cols);
          graph.write(x, data);
          graph.replay();
          const [got] = await graph.read([y]);
          expect(closeness(defined(got, 'got'), await eager(data, w, g), 1e-6, 1e-6).excess).toBeLessThanOrEqual(0);
          // the outputs tensor reads the new values too
          expect(closeness((await y.data()) as Float32Array, defined(got, 'got'), 0, 0).excess).toBeLessThanOrEqual(0);
          const othersAfter = await Promise.all(others.map((t) => t.data()));
          for (const [i, a] of othersAfter.entries())
            expect(Array.from(a)).toEqual(Array.from(at(othersBefore, i, 'othersBefore')));
          tf.dispose(others);
        }
        graph.dispose();
        expect(dispatchGraphParkedBuffers()).toBe(parked);
        expect(() => graph.replay()).toThrow(DispatchGraphError);
        tf.dispose([w, g, x, y]);
      }).finally(() => tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', batch));
    },
  );

  it('copies outputs into inputs before a replay (a loop on the device)', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    const { graph, result: y } = captureDispatchGraph(() => tf.mul(x, 2), { inputs: [x] });
    const seen: number[][] = [Array.from(at(await graph.read([y]), 0, 'value'))];
    for (let i = 0; i < 3; i++) {
      graph.replay({ before: [[y, x]] });
      seen.push(Array.from(at(await graph.read([y]), 0, 'value')));
    }
    expect(seen).toEqual([
      [2, 4, 6],
      [4, 8, 12],
      [8, 16, 24],
      [16, 32, 48],
    ]);
    expect(() => graph.replay({ before: [[tf.zeros([2]), x]] })).toThrow(/cannot copy/);
    graph.dispose();
    tf.dispose([x, y]);
  });

  it('sends skinny matmuls to the tiled GEMM while capturing (replays cost no host time per dispatch)', async () => {
    const prev = configureFastMatMul({ shapes: 'measured' });
    try {
      expect(capturingDispatchGraph()).toBe(false);
      expect(fastMatMulWins(64, 896, false)).toBe(false);
      const a = normal(7, [8, 64]) as tf.Tensor2D;
      const b = normal(8, [96, 64]) as tf.Tensor2D;
      const eagerY = tf.matMul(a, b, false, true);
      let inside = false;
      const { graph, result: y } = captureDispatchGraph(
        () => {
          inside = capturingDispatchGraph() && fastMatMulWins(64, 896, false);
          return tf.matMul(a, b, false, true);
        },
        { inputs: [a, b] },
      );
      expect(inside).toBe(true);
      expect(capturingDispatchGraph()).toBe(false);
      expect(graph.programs.some((p) => p.startsWith('magicGemm'))).toBe(true);
      const [got] = await graph.read([y]);
      expect(
        closeness(defined(got, 'got'), (await eagerY.data()) as Float32Array, 1e-5, 1e-5).excess,
      ).toBeLessThanOrEqual(0);
      graph.dispose();
      tf.dispose([a, b, eagerY, y]);
    } finally {
      configureFastMatMul(prev);
    }
  });

  it("ages the capped pool as the replayed steps' allocations would (stale sizes stay evictable)", async () => {
    const be = tf.backend() as unknown as { bufferManager: { numBytesAllocated: number } };
    const before = defined(webGpuPoolStats(), 'webGpuPoolStats()');
    trimWebGpuBufferPool();
    try {
      capWebGpuBufferPool(be, before.capBytes, { staleAfter: 200 });
      // a buffer of a size nothing else uses, freed before the decode-like loop (a long prefill's)
      const prefill = tf.tidy(() => tf.add(tf.zeros([300_000]), 1)); // on the GPU (tf.zeros alone stays on the host)
      await prefill.data();
      prefill.dispose();
      const x = tf.tensor2d(seededNormal(9, rows * cols), [rows, cols]);
      const w = normal(1, [cols, out]) as tf.Tensor2D;
      const g = normal(2, [cols]) as tf.Tensor1D;
      const { graph, result: y } = captureDispatchGraph(() => step(x, w, g), { inputs: [x, w, g] });
      // the capture allocates well under 200 buffers; 40 replays stand for far more
      for (let i = 0; i < 40; i++) graph.replay();
      await graph.read([y]);
      // cap at what is allocated now: the next new size must evict, and only the old prefill buffer is stale
      capWebGpuBufferPool(be, be.bufferManager.numBytesAllocated, { staleAfter: 200 });
      const evicted = defined(webGpuPoolStats(), 'webGpuPoolStats()').evictedBuffers;
      const fresh = tf.tidy(() => tf.add(tf.zeros([200_000]), 1));
      await fresh.data();
      expect(defined(webGpuPoolStats(), 'webGpuPoolStats()').evictedBuffers).toBeGreaterThan(evicted);
      graph.dispose();
      tf.dispose([fresh, x, w, g, y]);
    } finally {
      capWebGpuBufferPool(be, before.capBytes, {});
    }
  });

  it('replays buffer copies in order with the dispatches (tfjs copies for dataToGPU)', async () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, 2, 3]);
    const { graph, result } = captureDispatchGraph(
      () => {
        const y = tf.mul(x, 2);
        const copy = y.dataToGPU().tensorRef; // a copyBufferToBuffer into a new tensor
        y.dispose();
        const out = tf.add(copy, 1);
        copy.dispose();
        return out;
      },
      { inputs: [x] },
    );
    expect(graph.copies).toBe(1);
    graph.write(x, new Float32Array([5, 6, 7]));
    graph.replay();
    expect(Array.from(at(await graph.read([result]), 0, 'value'))).toEqual([11, 13, 15]);
    graph.dispose();
    tf.dispose([x, result]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks what is written', () => {
    const x = tf.tensor1d([1, 2]);
    const other = tf.tensor1d([1, 2]);
    const { graph, result: y } = captureDispatchGraph(() => tf.add(x, 1), { inputs: [x] });
    expect(() => graph.write(x, new Float32Array(3))).toThrow(/Float32Array of 2/);
    expect(() => graph.write(x, new Int32Array(2))).toThrow(DispatchGraphError);
    expect(() => graph.write(other, new Float32Array(2))).toThrow(/not bound/);
    graph.dispose();
    tf.dispose([x, other, y]);
  });

  it('refuses steps it cannot replay, freeing what the step returned', async () => {
    const tensorsBefore = tf.memory().numTensors;
    // a host tensor made inside the step and then written in place: its replay would not restart from the upload
    expect(() =>
      captureDispatchGraph(() => {
        const t = tf.tensor1d([1, 2, 3]);
        axpyInPlace(t, undefined, 2);
        return t;
      }),
    ).toThrow(/uploaded from the host/);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    // a read-back inside the step
    const x = tf.tensor1d([1, 2]);
    let pending: Promise<unknown> | undefined;
    expect(() =>
      captureDispatchGraph(
        () => {
          const y = tf.add(x, 1);
          pending = y.data().finally(() => y.dispose());
          return null;
        },
        { inputs: [x] },
      ),
    ).toThrow(/reads data back/);
    await pending;
    x.dispose();
    await tf.setBackend('cpu');
    try {
      expect(() => captureDispatchGraph(() => null)).toThrow(/needs the webgpu backend/);
    } finally {
      await tf.setBackend('webgpu');
    }
  });
});
