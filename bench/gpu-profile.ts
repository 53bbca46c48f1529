// GPU time per WebGPU program (issue 10): every compute dispatch of `fn` gets timestamp queries (tfjs' own
// per-program timer), named by its program class (tfjs kernels) or the shaderKey stem (@magic/tensor's fused
// programs, e.g. magicAdamWParam), including dispatches made outside tfjs kernels (in-place AdamW, KV-cache
// writes) that tf.profile does not see. Timing every dispatch ends a compute pass per dispatch, so the wall time
// of a profiled run is not the benchmark's; the GPU times are.
import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';

interface Timer {
  name: string;
  shape?: string;
  query: Promise<number> | number;
}
interface Program {
  shaderKey?: string;
  outputShape?: number[];
  constructor: { name: string };
}
interface TimedBackend {
  activeTimers: Timer[] | null;
  supportTimestampQuery?: boolean;
  runWebGPUProgram(program: Program, ...rest: unknown[]): unknown;
}

export interface GpuProfileRow {
  name: string;
  dispatches: number;
  gpuMs: number;
}

export interface GpuProfile {
  timestampQuery: boolean;
  dispatches: number;
  gpuMs: number;
  rows: GpuProfileRow[];
  /** The same by program and output shape (which call sites the time goes to). */
  byShape: GpuProfileRow[];
}

function programName(program: Program): string {
  const cls = program.constructor.name;
  if (cls && cls !== 'Object') return cls;
  return at((program.shaderKey ?? 'unnamed').split('_'), 0, 'shader key prefix');
}

/** Runs `fn` with every dispatch timed on the GPU; rows sorted by GPU time, largest first. */
export async function profileGpu(fn: () => Promise<unknown>): Promise<GpuProfile> {
  const backend = tf.backend() as unknown as TimedBackend;
  if (typeof backend.runWebGPUProgram !== 'function') throw new Error('profileGpu needs the webgpu backend');
  const timers: Timer[] = [];
  const original = backend.runWebGPUProgram;
  const previous = backend.activeTimers;
  backend.activeTimers = timers;
  backend.runWebGPUProgram = function (this: TimedBackend, program, ...rest) {
    const before = timers.length;
    const out = original.call(this, program, ...rest);
    // tfjs pushed one timer per dispatch, named by constructor; name it by program
    for (const timer of timers.slice(before)) {
      timer.name = programName(program);
      timer.shape = `[${program.outputShape ?? []}]`;
    }
    return out;
  };
  try {
    await fn();
  } finally {
    backend.runWebGPUProgram = original;
    backend.activeTimers = previous;
  }
  const ms = await Promise.all(timers.map((t) => t.query));
  const table = (key: (t: Timer) => string) => {
    const byKey = new Map<string, GpuProfileRow>();
    timers.forEach((t, i) => {
      const k = key(t);
      const row = byKey.get(k) ?? { name: k, dispatches: 0, gpuMs: 0 };
      row.dispatches += 1;
      row.gpuMs += Number(ms[i]) || 0;
      byKey.set(k, row);
    });
    return [...byKey.values()]
      .map((r) => ({ ...r, gpuMs: Number(r.gpuMs.toFixed(3)) }))
      .sort((a, b) => b.gpuMs - a.gpuMs);
  };
  const rows = table((t) => t.name);
  return {
    byShape: table((t) => `${t.name} ${t.shape}`),
    timestampQuery: backend.supportTimestampQuery === true,
    dispatches: timers.length,
    gpuMs: Number(rows.reduce((a, r) => a + r.gpuMs, 0).toFixed(2)),
    rows,
  };
}
