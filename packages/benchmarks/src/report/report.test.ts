import { defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import type { MetricValue, RunResults, TaskResult } from '../results.js';
import { safetySuite } from '../suites/definitions.js';
import { compare, compareToMarkdown, proportionDeltaCi } from './compare.js';
import { formatFraction, formatSuiteTable, resultsToMarkdown } from './markdown.js';

const value = (count: number, n: number): MetricValue => ({
  value: count / n,
  n,
  count,
  ci: { lower: 0, upper: 1, confidence: 0.95 },
});
const task = (id: string, metrics: Record<string, MetricValue>): TaskResult => ({
  id,
  label: id,
  benchmark: id,
  status: 'ok',
  n: 100,
  parseFailures: 0,
  metrics,
  breakdowns: { category: { x: metrics } },
  samples: [],
  wallSeconds: 1,
});
function run(target: string, wgAdv: number, xstComply: number): RunResults {
  return {
    schemaVersion: 1,
    suite: 'safety',
    target,
    judge: 'fake',
    createdAt: '2026-01-01T00:00:00.000Z',
    limit: 100,
    seed: 0,
    generation: { temperature: 0, maxTokens: 512, topP: 1 },
    stats: { generated: 0, cached: 0, judgeCalls: 0 },
    table: safetySuite.table,
    tasks: [
      task('wgAdv', { asr: value(wgAdv, 100) }),
      task('xstest', { inverted_rta_all_safe: value(xstComply, 100), rta_all_contrast: value(80, 100) }),
    ],
  };
}

describe('Markdown tables', () => {
  it('formats fractions like the paper', () => {
    expect([
      formatFraction(0.365),
      formatFraction(1),
      formatFraction(0),
      formatFraction(-0.05),
      formatFraction(null),
    ]).toEqual(['.365', '1.000', '.000', '-.050', '—']);
  });

  it('lays out Table 1 columns in the paper order with arrows, one row per run', () => {
    const table = formatSuiteTable([
      { name: 'base', results: run('base', 36, 94) },
      { name: '+MAGIC', results: run('magic', 2, 95) },
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toBe('**Table 1: safety (ASR ↓, RTA ↑, compliance ↑)**');
    expect(lines[2]).toBe(
      '| model | WG adv ↓ | WG van ↓ | WJB adv ↓ | DAN ↓ | HB adv ↓ | HB van ↓ | OR-B ↑ | XST RTA ↑ | SR RTA ↑ | WJB benign ↑ | XST comply ↑ |',
    );
    expect(lines[4]).toBe('| base | .360 | — | — | — | — | — | — | .800 | — | — | .940 |');
    expect(lines[5]).toBe('| +MAGIC | .020 | — | — | — | — | — | — | .800 | — | — | .950 |');
  });

  it('a full run report lists tasks, CIs and breakdowns', () => {
    const md = resultsToMarkdown(run('base', 36, 94));
    expect(md).toContain('# safety suite: base');
    expect(md).toContain('- asr: .360 (.000–1.000) (n = 100, count = 36)');
    expect(md).toContain('| category | n | asr |');
  });
});

describe('compare', () => {
  it('gives deltas with a bootstrap CI and marks significant improvements', () => {
    const deltas = compare(run('base', 36, 94), run('magic', 2, 95), { seed: 1, samples: 500 });
    const wg = defined(
      deltas.find((d) => d.task === 'wgAdv' && d.metric === 'asr'),
      'asr',
    );
    expect(wg.header).toBe('WG adv');
    expect(wg.delta).toBeCloseTo(-0.34);
    expect(defined(wg.deltaCi, 'wg.deltaCi').upper).toBeLessThan(0);
    expect(wg.significant).toBe(true);
    const xst = defined(
      deltas.find((d) => d.header === 'XST comply'),
      'comply',
    );
    expect(xst.delta).toBeCloseTo(0.01);
    expect(xst.significant).toBe(false);
    const missing = defined(
      deltas.find((d) => d.header === 'DAN'),
      'DAN',
    );
    expect(missing).toMatchObject({ a: null, b: null, delta: null, deltaCi: null });
    const md = compareToMarkdown(deltas, { a: 'base', b: 'MAGIC' });
    expect(md).toContain('| WG adv | .360 | .020 | -.340 ✓ |');
  });

  it('the delta CI of two identical proportions straddles 0 and is seeded', () => {
    const ci = proportionDeltaCi({ count: 50, n: 100 }, { count: 50, n: 100 }, { seed: 7, samples: 400 });
    expect(ci.lower).toBeLessThan(0);
    expect(ci.upper).toBeGreaterThan(0);
    expect(proportionDeltaCi({ count: 50, n: 100 }, { count: 50, n: 100 }, { seed: 7, samples: 400 })).toEqual(ci);
  });
});
