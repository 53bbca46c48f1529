import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BindGroupEntry,
  bufferOf,
  COPY_DST,
  DispatchGraphError,
  dropHostCopy,
  entryBuffer,
  flush,
  type GpuBuffer,
  guardOf,
  MAP_READ,
  MAP_WRITE,
  type Op,
  type PassEncoder,
  type ReleaseGuard,
  type WebGpuBackend,
  webGpuBackend,
} from './dispatch-graph-backend.js';
import { guardedRead } from './webgpu-errors.js';
import { touchWebGpuPool } from './webgpu-pool.js';

/*
 * Capture and replay of the GPU work of a tfjs computation on the WebGPU backend (the idea of CUDA graphs).
 *
 * A decode step issues ~220 dispatches; tfjs spends ~90 us of host time on each (kernel bookkeeping, uniform
 * packing, a bind group per dispatch, pass encoding), several times the GPU time. The step does the same work
 * on the same shapes every time, so it is run once through tfjs while every dispatch (pipeline, bind group,
 * workgroup counts) and buffer-to-buffer copy is recorded, and later steps re-encode that list into one command
 * buffer: no tfjs, no new bind groups or uniform buffers.
 *
 * For that to be valid the buffers the recorded bind groups refer to must keep their roles: while a graph lives,
 * every buffer it binds is held back from tfjs' pool (a tensor disposed during or after the capture does not
 * hand its buffer to another tensor), and returned when the graph is disposed. What changes between replays
 * travels through input tensors the caller created before the capture and rewrites with `write()` (token ids,
 * positions, random numbers); buffers written by host uploads inside the capture are constants, and a captured
 * dispatch that writes into one is refused (its replay would not start from the uploaded data).
 */

export { DispatchGraphError };

/** A captured step: `replay()` re-runs its GPU work; inputs change through `write()`. */
export class DispatchGraph {
  private disposed = false;

  /** @internal built by captureDispatchGraph */
  constructor(
    private readonly be: WebGpuBackend,
    private readonly ops: Op[],
    private readonly held: Set<GpuBuffer>,
    private readonly outputs: tf.Tensor[],
    /** Pool keys of the capture's reusable allocations (a replay counts them as made again). */
    private readonly allocations: string[],
  ) {}

  /** Number of recorded dispatches. */
  get dispatches(): number {
    return this.ops.filter((o) => o.kind === 'dispatch').length;
  }

  /** Number of recorded buffer copies (replayed in order between the dispatches). */
  get copies(): number {
    return this.ops.filter((o) => o.kind === 'copy').length;
  }

  /** Programs of the recorded dispatches, in order (tfjs program class or fused shader key). */
  get programs(): string[] {
    return this.ops.flatMap((o) => (o.kind === 'dispatch' ? [o.name] : []));
  }

  private live(op: string): void {
    if (this.disposed) throw new DispatchGraphError(`${op} on a disposed graph`);
  }

  /**
   * Overwrites an input tensor's GPU data (queue order: after everything submitted so far, before the next
   * replay). The tensor must be one the capture bound, with `data` of its dtype and size.
   */
  write(t: tf.Tensor, data: Int32Array | Float32Array): void {
    this.live('write');
    const buffer = bufferOf(this.be, t, 'write');
    if (!this.held.has(buffer)) {
      throw new DispatchGraphError(`write: tensor ${t.id} [${t.shape}] is not bound by the captured step`);
    }
    const want = t.dtype === 'int32' ? Int32Array : Float32Array;
    if (!(data instanceof want) || data.length !== t.size) {
      throw new DispatchGraphError(
        `write: tensor ${t.id} needs a ${want.name} of ${t.size} elements, got a ${data.constructor.name} of ${data.length}`,
      );
    }
    flush(this.be);
    this.be.device.queue.writeBuffer(buffer, 0, data);
    dropHostCopy(this.be, t);
  }

  /** Re-runs the captured GPU work, after copying each `before` pair's data (src into dst, same byte size). */
  replay(options: { before?: [src: tf.Tensor, dst: tf.Tensor][] } = {}): void {
    this.live('replay');
    const { be } = this;
    const before = (options.before ?? []).map(([src, dst]) => {
      const s = bufferOf(be, src, 'replay');
      const d = bufferOf(be, dst, 'replay');
      const bytes = src.size * 4;
      if (dst.size * 4 !== bytes || src.dtype !== dst.dtype) {
        throw new DispatchGraphError(
          `replay: cannot copy ${src.dtype} [${src.shape}] into ${dst.dtype} [${dst.shape}]`,
        );
      }
      dropHostCopy(be, dst);
      return { s, d, bytes };
    });
    flush(be);
    const encoder = be.device.createCommandEncoder();
    for (const c of before) encoder.copyBufferToBuffer(c.s, 0, c.d, 0, c.bytes);
    let pass: PassEncoder | null = null;
    let pipeline: unknown;
    for (const op of this.ops) {
      if (op.kind === 'copy') {
        pass?.end();
        pass = null;
        encoder.copyBufferToBuffer(op.src, op.srcOffset, op.dst, op.dstOffset, op.size);
        continue;
      }
      if (!pass) {
        pass = encoder.beginComputePass();
        pipeline = undefined;
      }
      if (op.pipeline !== pipeline) {
        pass.setPipeline(op.pipeline);
        pipeline = op.pipeline;
      }
      pass.setBindGroup(0, op.bindGroup);
      pass.dispatchWorkgroups(op.x, op.y, op.z);
    }
    pass?.end();
    be.device.queue.submit([encoder.finish()]);
    // the pool's staleness clock runs on allocations: count the step's as if tfjs had made them again
    touchWebGpuPool(this.allocations, be);
    for (const t of this.outputs) if (!t.isDisposed) dropHostCopy(be, t);
  }

  /**
   * Reads tensors' GPU data (one staging copy for all, queue order: after the last replay) under the backend's
   * WebGPU error guard. Int32Array for int32 tensors, Float32Array otherwise.
   */
  async read(tensors: tf.Tensor[]): Promise<(Int32Array | Float32Array)[]> {
    this.live('read');
    return readTensors(this.be, tensors);
  }

  /** Returns the held buffers to tfjs' pool (those whose tensors were disposed) and drops the recording. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    guardOf(this.be).unhold(this.held);
    this.held.clear();
    this.ops.length = 0;
  }
}

async function readTensors(be: WebGpuBackend, tensors: tf.Tensor[]): Promise<(Int32Array | Float32Array)[]> {
  const parts = tensors.map((t) => ({ t, buffer: bufferOf(be, t, 'read'), bytes: t.size * 4 }));
  const total = parts.reduce((n, p) => n + p.bytes, 0);
  flush(be);
  const staging = be.device.createBuffer({ size: Math.max(4, total), usage: MAP_READ | COPY_DST });
  const encoder = be.device.createCommandEncoder();
  let offset = 0;
  for (const p of parts) {
    encoder.copyBufferToBuffer(p.buffer, 0, staging, offset, p.bytes);
    offset += p.bytes;
  }
  be.device.queue.submit([encoder.finish()]);
  try {
    return await guardedRead(be.device, async () => {
      await staging.mapAsync(MAP_READ);
      const range = staging.getMappedRange();
      let offset = 0;
      const out = parts.map((p) => {
        const bytes = range.slice(offset, offset + p.bytes);
        offset += p.bytes;
        return p.t.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
      });
      staging.unmap();
      return out;
    });
  } finally {
    staging.destroy();
  }
}

let capturing = 0;

/**
 * True while a dispatch graph is being recorded: kernels may then prefer fewer FLOPs over fewer dispatches
 * (replays cost no host time per dispatch), e.g. the tiled GEMM's split-K for skinny decode matmuls.
 */
export function capturingDispatchGraph(): boolean {
  return capturing > 0;
}

/** Counters of the release guard (for tests): buffers tfjs released while a live graph held them. */
export function dispatchGraphParkedBuffers(): number {
  const be = tf.backend() as unknown as WebGpuBackend;
  return be.__magicGraphGuard?.parkedCount ?? 0;
}

/** Tensors in a result (a tensor, or arrays / plain objects of them). */
function tensorsIn(x: unknown, out: tf.Tensor[] = []): tf.Tensor[] {
  if (x instanceof tf.Tensor) out.push(x);
  else if (Array.isArray(x)) for (const v of x) tensorsIn(v, out);
  else if (x && typeof x === 'object') for (const v of Object.values(x)) tensorsIn(v, out);
  return out;
}

interface Recording {
  ops: Op[];
  held: Set<GpuBuffer>;
  uploaded: Set<GpuBuffer>;
  written: Map<GpuBuffer, string>;
  /** Pool keys (size_usage) of reusable allocations. */
  allocations: string[];
  /** Why the recording cannot be replayed (found inside a wrapper whose caller may swallow a throw). */
  failure?: string;
}

/** Wraps the backend's dispatch and copy paths to record them while `fn` runs; undoes the wrapping after. */
function record<T>(be: WebGpuBackend, guard: ReleaseGuard, fn: () => T): { result: T; rec: Recording } {
  const rec: Recording = { ops: [], held: new Set(), uploaded: new Set(), written: new Map(), allocations: [] };
  // held from its first binding on: tfjs may release a buffer mid-step, and it must not reach another tensor
  const hold = (b: GpuBuffer) => {
    if (rec.held.has(b)) return;
    rec.held.add(b);
    guard.hold([b]);
  };
  const device = be.device;
  const manager = be.bufferManager;
  const originals = {
    recordAndSubmit: be.recordAndSubmit,
    createBindGroup: device.createBindGroup,
    createCommandEncoder: device.createCommandEncoder,
    acquireBuffer: manager.acquireBuffer,
  };
  type Bound = { group: unknown; entries: BindGroupEntry[] };
  const last: { group?: Bound } = {};
  device.createBindGroup = (desc) => {
    const group = originals.createBindGroup.call(device, desc);
    last.group = { group, entries: desc.entries };
    // held now: tfjs may submit (and release this dispatch's uniforms and disposed inputs) before it returns
    for (const e of desc.entries) {
      const b = entryBuffer(e);
      if (b) hold(b);
    }
    return group;
  };
  manager.acquireBuffer = (size, usage, mappedAtCreation = false, reuse = true) => {
    const buffer = originals.acquireBuffer.call(manager, size, usage, mappedAtCreation, reuse);
    if (reuse) rec.allocations.push(`${size}_${usage}`);
    // tfjs uploads host data into a storage buffer created mapped (or through a staging copy, below)
    if (mappedAtCreation && (usage & MAP_WRITE) === 0) rec.uploaded.add(buffer);
    return buffer;
  };
  device.createCommandEncoder = () => {
    const encoder = originals.createCommandEncoder.call(device);
    const copy = encoder.copyBufferToBuffer.bind(encoder);
    encoder.copyBufferToBuffer = (src, srcOffset, dst, dstOffset, size) => {
      if ((dst.usage & MAP_READ) !== 0) {
        // a read inside the step (its promise would swallow a throw here)
        rec.failure ??= 'the captured step reads data back to the host; a replay cannot';
      } else if ((src.usage & MAP_WRITE) !== 0) rec.uploaded.add(dst);
      else {
        rec.ops.push({ kind: 'copy', src, srcOffset, dst, dstOffset, size });
        hold(src);
        hold(dst);
        rec.written.set(dst, 'copyBufferToBuffer');
      }
      copy(src, srcOffset, dst, dstOffset, size);
    };
    return encoder;
  };
  be.recordAndSubmit = (program, output, inputs, uniforms) => {
    if (program.pixelsOpType != null) {
      throw new DispatchGraphError('pixel programs (textures) cannot be captured');
    }
    last.group = undefined;
    originals.recordAndSubmit.call(be, program, output, inputs, uniforms);
    // set by the createBindGroup wrapper inside the call (TypeScript cannot see that)
    const lastGroup = last.group as Bound | undefined;
    if (!lastGroup) throw new DispatchGraphError('a dispatch without a bind group was recorded');
    // tfjs replaces shaderKey by the full key (program name first)
    const name = at((program.shaderKey ?? (program as object).constructor.name).split('_'), 0, 'program name');
    const [x, y, z] = program.dispatch;
    rec.ops.push({ kind: 'dispatch', pipeline: program.pipeline, bindGroup: lastGroup.group, x, y, z, name });
    // tfjs binds the output first
    const out = entryBuffer(at(lastGroup.entries, 0, 'bind group entries'));
    if (out) rec.written.set(out, name);
  };
  capturing++;
  try {
    return { result: fn(), rec };
  } catch (e) {
    guard.unhold(rec.held);
    throw e;
  } finally {
    capturing--;
    be.recordAndSubmit = originals.recordAndSubmit;
    device.createBindGroup = originals.createBindGroup;
    device.createCommandEncoder = originals.createCommandEncoder;
    manager.acquireBuffer = originals.acquireBuffer;
  }
}

/**
 * Runs `fn` once through tfjs (it computes for real: its result is valid) while recording its GPU work, and
 * returns a graph that replays that work. Everything that must differ between replays has to reach the GPU
 * through tensors created before the capture (rewritten with `graph.write()` or copied with `replay({ before })`):
 * host values `fn` turns into tensors are baked in. Pass those tensors as `inputs` (they are uploaded before the
 * recording starts). Tensors `fn` returns stay the outputs of every replay; keep them alive as long as the graph.
 *
 * Throws DispatchGraphError on another backend, if `fn` reads data back, or if it writes into a buffer it
 * uploaded (a replay would not start from the uploaded data). WebGPU only; the caller keeps a fallback.
 */
export function captureDispatchGraph<T>(
  fn: () => T,
  options: { inputs?: tf.Tensor[] } = {},
): { graph: DispatchGraph; result: T } {
  const be = webGpuBackend('captureDispatchGraph');
  const guard = guardOf(be);
  // inputs go to the GPU now, outside the recording (uploaded inside it they would count as constants)
  for (const t of options.inputs ?? []) bufferOf(be, t, 'captureDispatchGraph');
  flush(be);
  const { result, rec } = record(be, guard, fn);
  flush(be);
  const refuse = (why: string): never => {
    guard.unhold(rec.held);
    // the step's result cannot reach the caller: free its tensors here
    tf.dispose(tensorsIn(result));
    throw new DispatchGraphError(why);
  };
  if (rec.failure) refuse(rec.failure);
  for (const [buffer, writer] of rec.written) {
    if (rec.uploaded.has(buffer)) {
      refuse(
        `the captured step writes (${writer}) into a buffer it uploaded from the host; create that tensor before the capture`,
      );
    }
  }
  return { graph: new DispatchGraph(be, rec.ops, rec.held, tensorsIn(result), rec.allocations), result };
}
