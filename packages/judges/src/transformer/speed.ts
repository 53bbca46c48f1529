import { at } from '@magic/core';
import type { GuardExample } from '../local/dataset.js';
import type { TransformerGuard } from './transformer-guard.js';

/**
 * In-process requests/s of a trained guard on `n` of its own training inputs (alternating prompt and response
 * moderation): one request at a time (batch 1), and all in flight at once (batches of `maxBatchSize`).
 */
export async function measureGuardSpeed(
  guard: TransformerGuard,
  rows: readonly GuardExample[],
  n: number,
): Promise<{
  batch1PerSecond: number;
  batch1CpuMsPerRequest: number;
  batchedPerSecond: number;
  /** Process CPU time per request in the batched run (host-side work on a GPU; all of it on a CPU backend). */
  batchedCpuMsPerRequest: number;
  maxBatchSize: number;
  requests: number;
}> {
  const prompts = rows.filter((r) => r.task === 'prompt');
  const replies = rows.filter((r) => r.task !== 'prompt');
  const call = (i: number) => {
    const pick = i % 2 === 0 ? prompts : replies;
    const r = at(pick, Math.floor(i / 2) % Math.max(1, pick.length), 'rows of the task');
    return r.task === 'prompt' ? guard.moderatePrompt(r.text) : guard.moderateResponse(r.prompt ?? '', r.text);
  };
  await Promise.all(Array.from({ length: Math.min(n, 64) }, (_, i) => call(i))); // warm-up (kernels, shapes)
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  const one = Math.min(n, 200);
  let t = performance.now();
  let cpu = process.cpuUsage();
  for (let i = 0; i < one; i++) await call(i);
  const batch1PerSecond = (one / (performance.now() - t)) * 1000;
  const batch1CpuMsPerRequest = cpuMs(process.cpuUsage(cpu)) / one;
  t = performance.now();
  cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: n }, (_, i) => call(i)));
  const batchedPerSecond = (n / (performance.now() - t)) * 1000;
  const batchedCpuMsPerRequest = cpuMs(process.cpuUsage(cpu)) / n;
  return {
    batch1PerSecond,
    batch1CpuMsPerRequest,
    batchedPerSecond,
    batchedCpuMsPerRequest,
    maxBatchSize: guard.settings.maxBatchSize,
    requests: n,
  };
}
