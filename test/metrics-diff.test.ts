// bench/compare-metrics.ts's comparison: what counts as the same run (issue 20, "Done when").
import { describe, expect, it } from 'vitest';
import { diffMetrics, parseMetricsJsonl } from '../bench/metrics-diff.js';

const run = (lossAt1: number, extra: Record<string, unknown> = {}) =>
  parseMetricsJsonl(
    [
      JSON.stringify({ step: 0, phase: 'phase1', 'sft/loss': 6.2, 'timing/phase1': 72.1 }),
      JSON.stringify({ step: 0, 'val/asr': 0.5, 'timing/val': 3 }),
      JSON.stringify({ step: 1, 'actor/pg_loss': lossAt1, 'timing/step': 9.5, 'perf/tokens_per_s': 40, ...extra }),
    ].join('\n'),
  );

describe('diffMetrics', () => {
  it('calls two runs the same when only timings differ, and keeps phase 1 apart from step 0', () => {
    const a = run(0.25);
    const b = run(0.25).map((l) => ({ ...l, 'timing/step': 1, 'timing/val': 2, 'perf/tokens_per_s': 99 }));
    const c = diffMetrics(a, b);
    expect(c.same).toBe(true);
    expect(c.linesCompared).toBe(3);
    expect(c.valuesCompared).toBe(3 + 2 + 2); // step (and phase) and the values of each line, timings left out
    expect(c.timingKeysSkipped).toEqual(['perf/tokens_per_s', 'timing/phase1', 'timing/step', 'timing/val']);
  });

  it('reports a changed value with its step, and accepts it only when a documented change explains it', () => {
    const c = diffMetrics(run(0.25), run(0.2500001));
    expect(c.same).toBe(false);
    expect(c.differences).toEqual([
      { line: 'step 1', key: 'actor/pg_loss', old: 0.25, new: 0.2500001, absDiff: expect.closeTo(1e-7, 12) },
    ]);
    const explained = diffMetrics(run(0.25), run(0.2500001), { explained: { '/^actor\\//': 'changeset x' } });
    expect(explained.same).toBe(true);
    expect(explained.differences[0]?.explainedBy).toBe('changeset x');
    expect(diffMetrics(run(0.25), run(0.2500001), { tolerance: 1e-6 }).same).toBe(true);
  });

  it('fails on a key or a line that only one run has', () => {
    expect(diffMetrics(run(0.25), run(0.25, { 'actor/kl': 0 })).differences[0]).toMatchObject({
      key: 'actor/kl',
      old: undefined,
      new: 0,
    });
    const shorter = run(0.25).slice(0, 2);
    const c = diffMetrics(run(0.25), shorter);
    expect(c.onlyOld).toEqual(['step 1']);
    expect(c.same).toBe(false);
    expect(diffMetrics([], []).same).toBe(false);
  });
});
