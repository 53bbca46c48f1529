import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MetricValue, type RunResults, safetySuite } from '@magic/benchmarks';
import { at } from '@magic/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureIo } from './capture-io.test-helpers.js';
import { runCompare } from './compare-command.js';
import { ResultsFileError } from './errors.js';
import type { EvalResults } from './eval-results.js';
import { main } from './main.js';

const rate = (count: number, n: number): MetricValue => ({
  value: count / n,
  n,
  count,
  ci: { lower: Math.max(0, count / n - 0.1), upper: Math.min(1, count / n + 0.1), confidence: 0.95 },
});

function run(target: string, wgAdv: number, xstComply: number): RunResults {
  const task = (id: string, metrics: Record<string, MetricValue>) => ({
    id,
    label: id,
    benchmark: id,
    status: 'ok' as const,
    n: 100,
    parseFailures: 0,
    metrics,
    breakdowns: {},
    samples: [],
    wallSeconds: 1,
  });
  return {
    schemaVersion: 1,
    suite: 'safety',
    target,
    judge: 'fake',
    createdAt: '2026-01-01T00:00:00.000Z',
    limit: 100,
    seed: 0,
    generation: { temperature: 0, maxTokens: 512, topP: 1 },
    stats: { generated: 200, cached: 0, judgeCalls: 200 },
    table: safetySuite.table,
    tasks: [
      task('wgAdv', { asr: rate(wgAdv, 100) }),
      task('xstest', { inverted_rta_all_safe: rate(xstComply, 100), rta_all_contrast: rate(80, 100) }),
    ],
  };
}

function wrapped(r: RunResults): EvalResults {
  return {
    schemaVersion: 1,
    tool: 'magic-eval',
    meta: {
      target: r.target,
      judge: r.judge,
      suites: [r.suite],
      backend: null,
      startedAt: r.createdAt,
      wallSeconds: 2,
      argv: [],
      node: 'v20',
      limit: r.limit,
      seed: 0,
      cacheFile: 'x',
      truncatedPrompts: 0,
      paths: {},
    },
    runs: [r],
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'magic-compare-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('magic-eval compare', () => {
  it('prints deltas with CIs and writes compare.md / compare.html', async () => {
    mkdirSync(join(dir, 'base'));
    writeFileSync(join(dir, 'base', 'results.json'), JSON.stringify(wrapped(run('base', 40, 90))));
    // B is a bare runSuite RunResults file
    writeFileSync(join(dir, 'magic.json'), JSON.stringify(run('magic', 5, 91)));
    const c = captureIo();
    const code = await main(
      ['compare', join(dir, 'base'), join(dir, 'magic.json'), '--out', join(dir, 'cmp'), '--name-b', 'MAGIC'],
      c.io,
    );
    expect(code, c.err.join('')).toBe(0);
    const stdout = c.out.join('');
    expect(stdout).toContain('| metric | base | MAGIC | Δ | Δ 95% CI |');
    // WG adv ASR: .400 -> .050, a significant improvement (lower is better)
    expect(stdout).toMatch(/\| WG adv \| \.400 \| \.050 \| -\.350 ✓ \| -\.\d{3} to -\.\d{3} \|/);
    expect(stdout).toMatch(/\| XST comply \| \.900 \| \.910 \| \+\.010 \| -\.\d{3} to \.\d{3} \|/);
    const md = readFileSync(join(dir, 'cmp', 'compare.md'), 'utf8');
    expect(md).toBe(stdout.slice(0, md.length));
    const html = readFileSync(join(dir, 'cmp', 'compare.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('class="num better">-.350');
    expect(html).toContain('safety: base vs MAGIC');
    expect(html).toContain('Δ = MAGIC − base');
  });

  it('a malformed results file is a typed error naming the file and field', () => {
    const bad = join(dir, 'bad.json');
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(wrapped(run('a', 1, 2))));
    const broken = wrapped(run('b', 1, 2)) as unknown as { runs: { tasks: { n: unknown }[] }[] };
    at(at(broken.runs, 0, 'runs').tasks, 0, 'tasks').n = 'many';
    writeFileSync(bad, JSON.stringify(broken));
    let error: unknown;
    try {
      runCompare({ runA: good, runB: bad, out: undefined, nameA: undefined, nameB: undefined, help: false });
    } catch (e) {
      error = e;
    }
    expect(ResultsFileError.isInstance(error)).toBe(true);
    expect((error as ResultsFileError).file).toBe(bad);
    expect((error as ResultsFileError).field).toBe('runs.0.tasks.0.n');
    writeFileSync(bad, '{"schemaVersion": 1, "runs": [');
    expect(() =>
      runCompare({ runA: bad, runB: good, out: undefined, nameA: undefined, nameB: undefined, help: false }),
    ).toThrow(/bad\.json: is not JSON/);
  });

  it('exits 1 naming the file on a malformed or missing run, 2 on usage errors', async () => {
    writeFileSync(join(dir, 'x.json'), '{"hello": 1}');
    const c = captureIo();
    expect(await main(['compare', join(dir, 'x.json'), join(dir, 'x.json')], c.io)).toBe(1);
    expect(c.err.join('')).toContain('EVAL_RESULTS_FILE');
    expect(c.err.join('')).toContain('x.json');
    const m = captureIo();
    expect(await main(['compare', join(dir, 'missing')], m.io)).toBe(2);
    const n = captureIo();
    expect(await main(['compare', join(dir, 'missing'), join(dir, 'x.json')], n.io)).toBe(1);
    expect(n.err.join('')).toMatch(/missing.*cannot be read \(ENOENT\)/);
  });
});
