import * as tf from '@tensorflow/tfjs-core';
import { MagicError } from '../errors.js';
import type { ErrorSourceDevice } from './webgpu-errors.js';

// The parts of tfjs-backend-webgpu that a dispatch graph wraps (structural types of its internals), the buffer
// guard that keeps captured buffers out of tfjs' pool, and the small backend helpers of dispatch-graph.ts.

export const MAP_READ = 0x1;
export const MAP_WRITE = 0x2;
export const COPY_DST = 0x8;

export interface GpuBuffer {
  size: number;
  usage: number;
  destroy(): void;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}
export interface PassEncoder {
  setPipeline(pipeline: unknown): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}
interface CommandEncoder {
  beginComputePass(desc?: object): PassEncoder;
  copyBufferToBuffer(src: GpuBuffer, srcOffset: number, dst: GpuBuffer, dstOffset: number, size: number): void;
  finish(): unknown;
}
export interface BindGroupEntry {
  binding: number;
  resource: { buffer?: GpuBuffer } | unknown;
}
interface Device extends ErrorSourceDevice {
  createBindGroup(desc: { layout: unknown; entries: BindGroupEntry[] }): unknown;
  createCommandEncoder(): CommandEncoder;
  createBuffer(desc: { size: number; usage: number }): GpuBuffer;
  queue: ErrorSourceDevice['queue'] & {
    submit(buffers: unknown[]): void;
    writeBuffer(buffer: GpuBuffer, offset: number, data: ArrayBufferView): void;
  };
}
interface BufferManager {
  acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GpuBuffer;
  releaseBuffer(buffer: GpuBuffer, reuse?: boolean): void;
}
interface Program {
  pipeline?: unknown;
  dispatch: [number, number, number];
  pixelsOpType?: unknown;
  shaderKey?: string;
}
interface TensorData {
  resource?: unknown;
  values?: unknown;
  dtype: tf.DataType;
}
export interface WebGpuBackend {
  device: Device;
  bufferManager: BufferManager;
  commandEncoder: CommandEncoder | null;
  recordAndSubmit(program: Program, output: tf.TensorInfo, inputs: tf.TensorInfo[], uniforms?: unknown): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  uploadToGPU(dataId: object): void;
  tensorMap: { get(dataId: object): TensorData | undefined };
  __magicGraphGuard?: ReleaseGuard;
}

/** A capture or replay that cannot be done (wrong backend, a step that cannot be replayed, a disposed graph). */
export class DispatchGraphError extends MagicError {
  constructor(message: string) {
    super('DISPATCH_GRAPH', message);
  }
}

export type Op =
  | { kind: 'dispatch'; pipeline: unknown; bindGroup: unknown; x: number; y: number; z: number; name: string }
  | { kind: 'copy'; src: GpuBuffer; srcOffset: number; dst: GpuBuffer; dstOffset: number; size: number };

/**
 * Holds buffers back from tfjs' pool: a buffer some live graph binds is not handed to the pool when tfjs
 * releases it, but parked until the last graph binding it is disposed. One per backend.
 */
export class ReleaseGuard {
  private readonly owners = new Map<GpuBuffer, number>();
  private readonly parked = new Map<GpuBuffer, boolean>();
  private readonly release: (buffer: GpuBuffer, reuse?: boolean) => void;

  constructor(manager: BufferManager) {
    this.release = manager.releaseBuffer.bind(manager);
    manager.releaseBuffer = (buffer, reuse = true) => {
      if (this.owners.has(buffer)) this.parked.set(buffer, reuse);
      else this.release(buffer, reuse);
    };
  }

  hold(buffers: Iterable<GpuBuffer>): void {
    for (const b of buffers) this.owners.set(b, (this.owners.get(b) ?? 0) + 1);
  }

  unhold(buffers: Iterable<GpuBuffer>): void {
    for (const b of buffers) {
      const n = (this.owners.get(b) ?? 1) - 1;
      if (n > 0) {
        this.owners.set(b, n);
        continue;
      }
      this.owners.delete(b);
      const reuse = this.parked.get(b);
      if (reuse !== undefined) {
        this.parked.delete(b);
        this.release(b, reuse);
      }
    }
  }

  /** Buffers tfjs released while held (for tests). */
  get parkedCount(): number {
    return this.parked.size;
  }
}

export function webGpuBackend(op: string): WebGpuBackend {
  if (tf.getBackend() !== 'webgpu') {
    throw new DispatchGraphError(`${op} needs the webgpu backend (active: ${tf.getBackend()})`);
  }
  const be = tf.backend() as unknown as WebGpuBackend;
  if (typeof be.recordAndSubmit !== 'function' || !be.bufferManager || !be.device) {
    throw new DispatchGraphError(`${op}: this tfjs-backend-webgpu lacks the internals the capture wraps`);
  }
  return be;
}

export function guardOf(be: WebGpuBackend): ReleaseGuard {
  be.__magicGraphGuard ??= new ReleaseGuard(be.bufferManager);
  return be.__magicGraphGuard;
}

/** Submits whatever tfjs has encoded but not submitted, so later submissions run after it. */
export function flush(be: WebGpuBackend): void {
  if (!be.commandEncoder) return;
  be.endComputePassEncoder();
  be.submitQueue();
}

/** The GPU buffer of a tensor, uploaded first if its data is still on the host. */
export function bufferOf(be: WebGpuBackend, t: tf.Tensor, op: string): GpuBuffer {
  be.uploadToGPU(t.dataId);
  const data = be.tensorMap.get(t.dataId);
  const resource = data?.resource as GpuBuffer | undefined;
  if (!resource || typeof resource.mapAsync !== 'function') {
    throw new DispatchGraphError(`${op}: tensor ${t.id} [${t.shape}] has no GPU buffer`);
  }
  return resource;
}

/** Drops the host copy tfjs keeps of a tensor after uploads and reads: the GPU data was just rewritten. */
export function dropHostCopy(be: WebGpuBackend, t: tf.Tensor): void {
  const td = be.tensorMap.get(t.dataId);
  if (td) td.values = null;
}

export function entryBuffer(entry: BindGroupEntry): GpuBuffer | undefined {
  const r = entry.resource as { buffer?: GpuBuffer } | undefined;
  return r?.buffer;
}
