// report.html in a real headless Chromium (Debian's package): the charts draw, the episodes open, nothing errs.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { at, defined } from '@magic/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessChromium } from './cdp-pipe.test-helpers.js';
import { agentSpans } from './charts.js';
import { readEpisodeBlocks } from './episodes.js';
import { buildReport } from './report.js';
import { MARKUP, writeFixtureRun } from './report-fixture.test-helpers.js';

const runDir = mkdtempSync(join(tmpdir(), 'report-chromium-'));
let browser: HeadlessChromium;
let session: string;

beforeAll(async () => {
  const metrics = writeFixtureRun(runDir);
  const episodes = readEpisodeBlocks(runDir, agentSpans(metrics));
  const report = buildReport(metrics, { title: 'fixture run', summary: { steps: '12' }, episodes });
  writeFileSync(join(runDir, 'report.html'), report.html);
  browser = HeadlessChromium.launch();
  session = await browser.open(pathToFileURL(join(runDir, 'report.html')).href);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(runDir, { recursive: true, force: true });
});

interface ChartSeen {
  title: string;
  series: { name: string; points: number; length: number }[];
}

describe('report.html in headless Chromium', () => {
  it('every chart draws at least one series of at least 2 points', async () => {
    const charts = await browser.evaluate<ChartSeen[]>(
      session,
      `[...document.querySelectorAll('svg.chart')].map((svg) => ({
        title: svg.querySelector('title').textContent,
        series: [...svg.querySelectorAll('polyline.series')].map((p) => ({
          name: p.dataset.series,
          points: p.points.numberOfItems,
          length: p.getTotalLength(),
        })),
      }))`,
    );
    expect(charts.map((c) => c.title)).toEqual([
      'Rewards (train batch means)',
      'Attack success rate',
      'Refusal and compliance',
    ]);
    for (const c of charts) {
      expect(
        c.series.some((s) => s.points >= 2 && s.length > 0),
        c.title,
      ).toBe(true);
    }
    // steps where nothing was judged are left out, not drawn as 0: 12 steps, 2 of them unjudged
    const asr = defined(
      at(charts, 1, 'charts').series.find((s) => s.name === 'train ASR (batch)'),
      "charts[1].series.find((s) => s.name === 'train ASR (batch)')",
    );
    expect(asr.points).toBe(10);
  });

  it('legends sit below the plot, clear of every line', async () => {
    const overlaps = await browser.evaluate<number>(
      session,
      `[...document.querySelectorAll('svg.chart')].reduce((n, svg) => {
        const lines = [...svg.querySelectorAll('polyline.series, circle')].map((e) => e.getBBox());
        const items = [...svg.querySelectorAll('g.legend > *')].map((e) => e.getBBox());
        return n + items.filter((a) => lines.some((b) =>
          a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)).length;
      }, 0)`,
    );
    expect(overlaps).toBe(0);
  });

  it('shows 3 collapsible example episodes per switch block, model text as text', async () => {
    const seen = await browser.evaluate<{
      blocks: string[];
      perBlock: number[];
      open: boolean[];
      firstText: string;
      scripts: number;
      injected: unknown;
      markupShown: boolean;
    }>(
      session,
      `(() => {
        const blocks = [...document.querySelectorAll('h3')];
        const details = [...document.querySelectorAll('details.episode')];
        details[0].open = true;
        return {
          blocks: blocks.map((h) => h.textContent),
          perBlock: blocks.map((h) => {
            let n = 0;
            for (let e = h.nextElementSibling; e && e.tagName === 'DETAILS'; e = e.nextElementSibling) n++;
            return n;
          }),
          open: details.map((d) => d.open),
          firstText: details[0].innerText,
          scripts: document.scripts.length,
          injected: window.__injected ?? null,
          markupShown: [...document.querySelectorAll('pre.rewrite')].some((p) => p.textContent === ${JSON.stringify(MARKUP)}),
        };
      })()`,
    );
    expect(seen.blocks).toEqual([
      'Steps 1–3: defender trained',
      'Steps 4–6: attacker trained',
      'Steps 7–9: defender trained',
      'Steps 10–12: attacker trained',
    ]);
    expect(seen.perBlock).toEqual([3, 3, 3, 3]);
    expect(seen.open.filter(Boolean)).toHaveLength(1);
    for (const part of [
      "attacker's chain of thought",
      'placeholder plan 1.0.0',
      "attacker's rewrite",
      'placeholder rewrite 1.0.0',
      "defender's reply",
      'placeholder reply 1.0.0',
      'guard on the rewrite (q)',
      'defender reward',
    ]) {
      expect(seen.firstText).toContain(part);
    }
    expect(seen.scripts).toBe(0);
    expect(seen.injected).toBeNull();
    expect(seen.markupShown).toBe(true);
  });

  it('raises no console error and no page error', () => {
    expect(browser.errors()).toEqual([]);
  });

  it('is one self-contained file: the page loads nothing but itself', () => {
    expect(browser.requests()).toEqual([pathToFileURL(join(runDir, 'report.html')).href]);
  });
});
