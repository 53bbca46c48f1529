import { describe, expect, it } from 'vitest';
import { webGpuDevice } from '../../backend/webgpu.js';
import { useSoftwareWebGpu } from '../test-helpers.js';
import { DIRECT_UNIFORMS, standaloneDirectModule } from './direct-wgsl.js';
import type { TensorCoreKernelConfig } from './kernel-wgsl.js';

/*
 * The emulated subgroup-matrix builtins take each fragment's rows and columns from the kernel's own type
 * declarations, read with the spec's (columns, rows) template order. So the emulation checks the convention the
 * real kernel declares: the same matrix kernel with its declarations written the other way round (rows first)
 * must compute a wrong product on the software adapter, while the spec's order computes the exact one.
 */
useSoftwareWebGpu({ withCpu: false });

interface Dev {
  createShaderModule(d: { code: string }): unknown;
  createComputePipeline(d: unknown): { getBindGroupLayout(i: number): unknown };
  createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): {
    getMappedRange(): ArrayBuffer;
    unmap(): void;
    mapAsync(mode: number): Promise<void>;
    destroy(): void;
  };
  createBindGroup(d: unknown): unknown;
  createCommandEncoder(): {
    beginComputePass(): {
      setPipeline(p: unknown): void;
      setBindGroup(i: number, g: unknown): void;
      dispatchWorkgroups(x: number): void;
      end(): void;
    };
    copyBufferToBuffer(a: unknown, ao: number, b: unknown, bo: number, n: number): void;
    finish(): unknown;
  };
  queue: { submit(c: unknown[]): void };
}

const STORAGE = 0x80;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const MAP_READ = 0x1;
const UNIFORM = 0x40;

async function runMatrixKernel(cfg: TensorCoreKernelConfig, convention: 'spec' | 'swapped') {
  const dev = webGpuDevice() as unknown as Dev;
  const bm = cfg.sgm * cfg.ti * cfg.mma.m;
  const bn = cfg.sgn * cfg.tj * cfg.mma.n;
  const kp = 32;
  // small integers: every summation order gives the exact product
  const a = Float32Array.from({ length: bm * kp }, (_, i) => ((i * 7) % 11) - 5);
  const b = Float32Array.from({ length: kp * bn }, (_, i) => ((i * 5 + 1) % 13) - 6);
  const want = new Float32Array(bm * bn);
  for (let i = 0; i < bm; i++)
    for (let j = 0; j < bn; j++) {
      let s = 0;
      for (let k = 0; k < kp; k++) s += a[i * kp + k]! * b[k * bn + j]!;
      want[i * bn + j] = s;
    }
  const uniforms = { Kp: kp, Np: bn, Mp: bm, tilesM: 1, tilesN: 1, batch: 1, aBatchStride: 0, bBatchStride: 0 };
  const buffer = (data: ArrayBufferView, usage: number) => {
    const buf = dev.createBuffer({ size: Math.max(16, data.byteLength), usage, mappedAtCreation: true });
    new Uint8Array(buf.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buf.unmap();
    return buf;
  };
  const out = dev.createBuffer({ size: bm * bn * 4, usage: STORAGE | COPY_SRC });
  const read = dev.createBuffer({ size: bm * bn * 4, usage: MAP_READ | COPY_DST });
  const inputs = [buffer(a, STORAGE), buffer(b, STORAGE)];
  const u = buffer(Int32Array.from(DIRECT_UNIFORMS.map((x) => uniforms[x])), UNIFORM);
  const module = dev.createShaderModule({ code: standaloneDirectModule(cfg, convention) });
  const pipeline = dev.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: '_start' } });
  const entries = [out, ...inputs, u].map((buf, binding) => ({ binding, resource: { buffer: buf } }));
  const group = dev.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  const enc = dev.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(1);
  pass.end();
  enc.copyBufferToBuffer(out, 0, read, 0, bm * bn * 4);
  dev.queue.submit([enc.finish()]);
  await read.mapAsync(MAP_READ);
  const got = new Float32Array(read.getMappedRange().slice(0));
  read.unmap();
  for (const x of [out, read, u, ...inputs]) x.destroy();
  return { got, want };
}

describe('the emulation follows the declared subgroup-matrix types', () => {
  for (const mma of [
    { m: 16, n: 8, k: 16 },
    { m: 16, n: 8, k: 8 },
  ] as const) {
    it(`${mma.m}x${mma.n}x${mma.k}: the spec's order gives the product, rows-first declarations do not`, async () => {
      const cfg: TensorCoreKernelConfig = {
        mma,
        accumulate: 'f32',
        split: false,
        ti: 2,
        tj: 2,
        sgm: 1,
        sgn: 1,
        bk: 16,
        doubleBuffer: false,
        direct: true,
        transposeA: false,
        transposeB: false,
        bias: false,
        emulate: true,
      };
      const spec = await runMatrixKernel(cfg, 'spec');
      expect(Array.from(spec.got)).toEqual(Array.from(spec.want));
      const swapped = await runMatrixKernel(cfg, 'swapped');
      expect(Array.from(swapped.got)).not.toEqual(Array.from(swapped.want));
    }, 60_000);
  }
});
