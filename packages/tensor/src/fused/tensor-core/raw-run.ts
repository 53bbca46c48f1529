import { at } from '@magic/core';
import { webGpuDevice } from '../../backend/webgpu.js';
import { DIRECT_UNIFORMS } from './direct-wgsl.js';
import type { TensorCoreKernelConfig } from './kernel-wgsl.js';

/** The raw WebGPU calls one-workgroup probes make (typed here: the backend's device type is not exported). */
export interface RawDevice {
  pushErrorScope(filter: string): void;
  popErrorScope(): Promise<{ message: string } | null>;
  createShaderModule(d: { code: string }): unknown;
  createComputePipelineAsync(d: unknown): Promise<{ getBindGroupLayout(i: number): unknown }>;
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

const MAP_READ = 0x1;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const UNIFORM = 0x40;
const STORAGE = 0x80;

/**
 * Runs one workgroup of a raw WGSL module (entry point `_start`) on the backend's device, without tfjs: binding 0
 * is the f32 output of `outCount` values, then the inputs in order (storage buffers; `uniform` ones as uniforms).
 * Returns the output; a validation error is thrown. Used by the tensor-core tests and bench/tensor-cores.ts.
 */
export async function runRawWorkgroup(
  code: string,
  inputs: readonly { data: ArrayBufferView; uniform?: boolean }[],
  outCount: number,
): Promise<Float32Array> {
  const dev = webGpuDevice() as unknown as RawDevice;
  const buffer = (data: ArrayBufferView, usage: number) => {
    const buf = dev.createBuffer({
      size: Math.max(16, Math.ceil(data.byteLength / 4) * 4),
      usage,
      mappedAtCreation: true,
    });
    new Uint8Array(buf.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buf.unmap();
    return buf;
  };
  const out = dev.createBuffer({ size: outCount * 4, usage: STORAGE | COPY_SRC });
  const read = dev.createBuffer({ size: outCount * 4, usage: MAP_READ | COPY_DST });
  const bufs = inputs.map((x) => buffer(x.data, x.uniform ? UNIFORM : STORAGE));
  try {
    dev.pushErrorScope('validation');
    let err: { message: string } | null = null;
    try {
      const module = dev.createShaderModule({ code });
      const pipeline = await dev.createComputePipelineAsync({
        layout: 'auto',
        compute: { module, entryPoint: '_start' },
      });
      const entries = [out, ...bufs].map((b, binding) => ({ binding, resource: { buffer: b } }));
      const group = dev.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      const enc = dev.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(1);
      pass.end();
      enc.copyBufferToBuffer(out, 0, read, 0, outCount * 4);
      dev.queue.submit([enc.finish()]);
    } finally {
      err = await dev.popErrorScope();
    }
    if (err) throw new Error(err.message);
    await read.mapAsync(MAP_READ);
    const got = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    return got;
  } finally {
    for (const b of [out, read, ...bufs]) b.destroy();
  }
}

/** The direct kernel as one-workgroup probes run it: 2 x 2 fragments of `mma` on one subgroup, f32 sums, NN. */
export function directProbeConfig(mma: TensorCoreKernelConfig['mma'], emulate: boolean): TensorCoreKernelConfig {
  return {
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
    emulate,
  };
}

/** The direct kernel's uniforms (the last input of runRawWorkgroup) for one workgroup's [m,k] x [k,n] product. */
export function directProbeUniforms(m: number, n: number, k: number): Int32Array {
  const u = { Kp: k, Np: n, Mp: m, tilesM: 1, tilesN: 1, batch: 1, aBatchStride: 0, bBatchStride: 0 };
  return Int32Array.from(DIRECT_UNIFORMS.map((x) => u[x]));
}

/** The row-major product [m,k] x [k,n] in f32 (exact for the probes' small integers, whatever the sum order). */
export function matMulF32(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let x = 0; x < k; x++) s += at(a, i * k + x, 'A') * at(b, x * n + j, 'B');
      c[i * n + j] = s;
    }
  return c;
}
