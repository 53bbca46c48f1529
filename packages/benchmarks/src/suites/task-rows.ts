import { BenchmarkNotAvailableError } from '../errors.js';
import { loadBenchmark } from '../loaders/load-benchmark.js';
import type { RowFilter, SuiteTask } from './definitions.js';

function matches(row: unknown, where: RowFilter | undefined): boolean {
  if (!where) return true;
  const record = row as Record<string, unknown>;
  return Object.entries(where).every(([k, v]) => record[k] === v);
}

/** Loads a task's rows (path override by task id, then by benchmark name), filters, then keeps the first `limit`. */
export async function loadTaskRows(
  task: SuiteTask,
  paths: Record<string, string>,
  limit: number | undefined,
): Promise<{ rows: unknown[] } | { skipReason: string }> {
  try {
    const rows: unknown[] = await loadBenchmark(task.benchmark, {
      path: paths[task.id] ?? paths[task.benchmark],
      split: task.split,
    });
    const kept = rows.filter((r) => matches(r, task.where));
    return { rows: limit === undefined ? kept : kept.slice(0, limit) };
  } catch (e) {
    if (BenchmarkNotAvailableError.isInstance(e)) return { skipReason: e.message };
    throw e;
  }
}
