import * as tf from '@tensorflow/tfjs-core';
import { ensureCpuBackend } from '../backend/init-backend.js';
import { typedAt } from '../typed-at.js';
import { CONFORMANCE_CASES, type ConformanceCase } from './cases.js';

export interface ConformanceResult {
  name: string;
  /** Largest |x - ref| over all outputs of the case. */
  maxError: number;
  atol: number;
  rtol: number;
  pass: boolean;
  /** Tensors left behind by the case on the tested backend. */
  leaked: number;
  ms: number;
  error?: string;
}

export interface ConformanceReport {
  backend: string;
  results: ConformanceResult[];
  pass: boolean;
}

type Outputs = Record<string, Float32Array | Int32Array>;

function compare(out: Outputs, ref: Outputs, atol: number, rtol: number): { maxError: number; ok: boolean } {
  let maxError = 0;
  let ok = true;
  for (const [key, r] of Object.entries(ref)) {
    const x = out[key];
    if (!x || x.length !== r.length) return { maxError: Number.POSITIVE_INFINITY, ok: false };
    for (let i = 0; i < r.length; i++) {
      const ri = typedAt(r, i, 'reference');
      const err = Math.abs(typedAt(x, i, 'output') - ri);
      if (!(err <= atol + rtol * Math.abs(ri))) ok = false;
      if (!(err <= maxError)) maxError = err;
    }
  }
  return { maxError, ok };
}

async function runCase(c: ConformanceCase, backend: string, reference: string): Promise<ConformanceResult> {
  const base = { name: c.name, atol: c.atol, rtol: c.rtol };
  const t0 = performance.now();
  try {
    await tf.setBackend(reference);
    const ref = await c.run();
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const out = await c.run();
    const leaked = tf.memory().numTensors - before;
    const { maxError, ok } = compare(out, ref, c.atol, c.rtol);
    return { ...base, maxError, pass: ok && leaked === 0, leaked, ms: performance.now() - t0 };
  } catch (e) {
    await tf.setBackend(backend).catch(() => false);
    const error = `${(e as Error).name}: ${(e as Error).message}`;
    return { ...base, maxError: Number.NaN, pass: false, leaked: 0, ms: performance.now() - t0, error };
  }
}

/**
 * Runs the conformance cases on `backend` (already started, e.g. by initBackend) and compares each with the
 * `reference` backend (default cpu). Leaves `backend` current.
 */
export async function runConformance(
  opts: { backend?: string; reference?: string; cases?: ConformanceCase[] } = {},
): Promise<ConformanceReport> {
  const backend = opts.backend ?? tf.getBackend();
  const reference = opts.reference ?? 'cpu';
  if (reference === 'cpu') ensureCpuBackend();
  const results: ConformanceResult[] = [];
  for (const c of opts.cases ?? CONFORMANCE_CASES) results.push(await runCase(c, backend, reference));
  await tf.setBackend(backend);
  return { backend, results, pass: results.every((r) => r.pass) };
}
