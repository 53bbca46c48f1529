import { BenchmarkNotAvailableError } from '../errors.js';
import { loadBenchmark } from '../loaders/load-benchmark.js';
import type { RowFilter, SuiteTask } from './definitions.js';

function matches(row: unknown, where: RowFilter | undefined): boolean {
  if (!where) return true;
  const record = row as Record<string, unknown>;
  return Object.entries(where).every(([k, v]) => record[k] === v);
}

/** Round-robin over the groups of `field` (groups in first-seen order, rows in file order). */
export function stratifiedHead(rows: readonly unknown[], field: string, limit: number): unknown[] {
  const groups = new Map<unknown, unknown[]>();
  for (const row of rows) {
    const key = (row as Record<string, unknown>)[field];
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const queues = [...groups.values()];
  const out: unknown[] = [];
  for (let i = 0; out.length < limit && out.length < rows.length; i += 1) {
    for (const queue of queues) if (i < queue.length && out.length < limit) out.push(queue[i]);
  }
  return out;
}

/** Loads a task's rows (path override by task id, then by benchmark name), filters, then keeps `limit` (first rows, or stratified). */
export async function loadTaskRows(
  task: SuiteTask,
  paths: Record<string, string>,
  limit: number | undefined,
  seed = 0,
): Promise<{ rows: unknown[] } | { skipReason: string }> {
  try {
    const rows: unknown[] = await loadBenchmark(task.benchmark, {
      path: paths[task.id] ?? paths[task.benchmark],
      split: task.split,
      seed,
    });
    const kept = rows.filter((r) => matches(r, task.where));
    if (limit === undefined) return { rows: kept };
    return { rows: task.stratifyLimitBy ? stratifiedHead(kept, task.stratifyLimitBy, limit) : kept.slice(0, limit) };
  } catch (e) {
    if (BenchmarkNotAvailableError.isInstance(e)) return { skipReason: e.message };
    throw e;
  }
}
