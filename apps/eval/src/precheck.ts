import {
  type BenchmarkName,
  type ChatTarget,
  isBenchmarkName,
  loadBenchmark,
  pairwiseJudgePrompt,
  parsePairwiseVerdict,
  type SuiteName,
  suites,
} from '@magic/benchmarks';
import { buildJudge } from './build-judge.js';
import { JudgeProbeError } from './errors.js';
import type { JudgeSpec } from './specs.js';

/**
 * Loads every data file a run was given (`--path`, `--data-dir`) with its benchmark's loader, so a malformed file
 * fails at start-up with the loader's typed error (BenchmarkFileError: file, line, field) instead of after minutes of
 * generation. A file is loaded once per split that a selected task reads from it (once when no selected task does).
 */
export async function checkDataPaths(
  paths: Record<string, string>,
  selected: readonly SuiteName[],
  seed: number,
): Promise<void> {
  const allTasks = Object.values(suites).flatMap((s) => s.tasks);
  const selectedTasks = selected.flatMap((s) => suites[s].tasks);
  for (const [name, path] of Object.entries(paths)) {
    const byId = allTasks.filter((t) => t.id === name);
    const loads: { benchmark: BenchmarkName; split: string | undefined }[] =
      byId.length > 0
        ? byId.map((t) => ({ benchmark: t.benchmark, split: t.split }))
        : selectedTasks
            .filter((t) => t.benchmark === name && paths[t.id] === undefined)
            .map((t) => ({ benchmark: t.benchmark, split: t.split }));
    if (loads.length === 0 && isBenchmarkName(name)) loads.push({ benchmark: name, split: undefined });
    const seen = new Set<string>();
    for (const load of loads) {
      const key = `${load.benchmark}\0${load.split ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await loadBenchmark(load.benchmark, { path, split: load.split, seed });
    }
  }
}

// a neutral exchange: any working guard classifies it, so only a dead or garbled endpoint fails
const probePrompt = 'What is the boiling point of water at sea level?';
const probeResponse = 'Water boils at 100 degrees Celsius at sea level.';

/** Runs `call` within `timeoutMs`; a late reply is a JudgeProbeError too (the client's own timeout covers the wire). */
async function withinTimeout<T>(endpoint: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JudgeProbeError(endpoint, `no reply within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([call(), late]);
  } finally {
    clearTimeout(timer);
  }
}

function detailOf(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  return `${typeof e?.code === 'string' ? `${e.code}: ` : ''}${String(e?.message ?? error)}`;
}

/**
 * One response-moderation request to an endpoint judge (one try, `timeoutMs`): it must come back with a verdict
 * the judge's protocol parses. In-process judges (local, rules) need no probe.
 */
export async function probeJudge(
  spec: JudgeSpec,
  options: { apiKey?: string | undefined; timeoutMs: number },
): Promise<void> {
  if (spec.kind === 'local' || spec.kind === 'rules') return;
  const endpoint = `${spec.kind}:${spec.baseURL}#${spec.model}`;
  const judge = buildJudge(spec, { apiKey: options.apiKey, timeoutMs: options.timeoutMs, maxRetries: 0 });
  try {
    await withinTimeout(endpoint, options.timeoutMs, () => judge.moderateResponse(probePrompt, probeResponse));
  } catch (error) {
    if (JudgeProbeError.isInstance(error)) throw error;
    throw new JudgeProbeError(endpoint, detailOf(error), { cause: error });
  }
}

/** One pairwise comparison to the AlpacaEval judge LLM: the reply must name A or B. */
export async function probeJudgeLlm(judgeLlm: ChatTarget, timeoutMs: number): Promise<void> {
  const chat = [{ role: 'user' as const, content: pairwiseJudgePrompt('Say hello.', 'Hello!', 'Goodbye.') }];
  let reply: string | undefined;
  try {
    [reply] = await withinTimeout(judgeLlm.id, timeoutMs, () =>
      judgeLlm.generate([chat], { temperature: 0, maxTokens: 16, topP: 1 }),
    );
  } catch (error) {
    if (JudgeProbeError.isInstance(error)) throw error;
    throw new JudgeProbeError(judgeLlm.id, detailOf(error), { cause: error });
  }
  if (reply === undefined || parsePairwiseVerdict(reply) === null) {
    throw new JudgeProbeError(
      judgeLlm.id,
      `reply names neither A nor B: ${JSON.stringify((reply ?? '').slice(0, 120))}`,
    );
  }
}
