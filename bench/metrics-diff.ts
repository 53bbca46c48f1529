// Step-by-step comparison of two trainer runs' metrics.jsonl (bench/compare-metrics.ts), timings excluded.

export type MetricsLine = Record<string, unknown>;

/** Keys that measure time or speed, not training: they differ from run to run by nature. */
export const TIMING_KEY = /^timing\/|(^|\/)(time|seconds|elapsed|wall)|_s$|_ms$|per_s(ec)?$|throughput|tokens_per/i;

export interface MetricDifference {
  /** `step` plus `phase` when the line has one (phase 1 and step 0 of phase 2 share step 0). */
  line: string;
  key: string;
  old: unknown;
  new: unknown;
  /** |old - new| for numbers, else undefined. */
  absDiff?: number;
  /** A documented default change that accounts for this key (from the `explained` map), if any. */
  explainedBy?: string;
}

export interface MetricsComparison {
  linesOld: number;
  linesNew: number;
  /** Lines present in both runs, by key. */
  linesCompared: number;
  valuesCompared: number;
  valuesEqual: number;
  timingKeysSkipped: string[];
  onlyOld: string[];
  onlyNew: string[];
  differences: MetricDifference[];
  /** True when every compared value is equal or explained and no line is missing on either side. */
  same: boolean;
}

export interface DiffOptions {
  /** Keys (exact, or a regex source wrapped in slashes) that a documented default change explains. */
  explained?: Record<string, string>;
  /** Numbers closer than this count as equal (default 0: exact, as JSON wrote them). */
  tolerance?: number;
}

export function parseMetricsJsonl(text: string, name = 'metrics.jsonl'): MetricsLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as MetricsLine;
      } catch (e) {
        throw new Error(`${name}:${i + 1}: not JSON (${(e as Error).message})`);
      }
    });
}

const lineKey = (l: MetricsLine): string =>
  typeof l.phase === 'string' ? `step ${String(l.step)} (${l.phase})` : `step ${String(l.step)}`;

function explanation(key: string, explained: Record<string, string>): string | undefined {
  for (const [pattern, why] of Object.entries(explained)) {
    if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/')) {
      if (new RegExp(pattern.slice(1, -1)).test(key)) return why;
    } else if (pattern === key) return why;
  }
  return undefined;
}

function equalValues(a: unknown, b: unknown, tolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= tolerance;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Compares two runs line by line (matched by step and phase) and key by key, timing keys left out. */
export function diffMetrics(
  oldLines: MetricsLine[],
  newLines: MetricsLine[],
  opts: DiffOptions = {},
): MetricsComparison {
  const explained = opts.explained ?? {};
  const tolerance = opts.tolerance ?? 0;
  const byKey = (lines: MetricsLine[]) => new Map(lines.map((l) => [lineKey(l), l]));
  const oldBy = byKey(oldLines);
  const newBy = byKey(newLines);
  const timing = new Set<string>();
  const differences: MetricDifference[] = [];
  let valuesCompared = 0;
  let valuesEqual = 0;
  let linesCompared = 0;
  for (const [line, o] of oldBy) {
    const n = newBy.get(line);
    if (!n) continue;
    linesCompared++;
    const keys = [...new Set([...Object.keys(o), ...Object.keys(n)])].sort();
    for (const key of keys) {
      if (TIMING_KEY.test(key)) {
        timing.add(key);
        continue;
      }
      valuesCompared++;
      const a = o[key];
      const b = n[key];
      if (equalValues(a, b, tolerance)) {
        valuesEqual++;
        continue;
      }
      const why = explanation(key, explained);
      differences.push({
        line,
        key,
        old: a,
        new: b,
        ...(typeof a === 'number' && typeof b === 'number' ? { absDiff: Math.abs(a - b) } : {}),
        ...(why ? { explainedBy: why } : {}),
      });
    }
  }
  const onlyOld = [...oldBy.keys()].filter((k) => !newBy.has(k));
  const onlyNew = [...newBy.keys()].filter((k) => !oldBy.has(k));
  return {
    linesOld: oldLines.length,
    linesNew: newLines.length,
    linesCompared,
    valuesCompared,
    valuesEqual,
    timingKeysSkipped: [...timing].sort(),
    onlyOld,
    onlyNew,
    differences,
    same:
      linesCompared > 0 &&
      onlyOld.length === 0 &&
      onlyNew.length === 0 &&
      differences.every((d) => d.explainedBy !== undefined),
  };
}
