// The organism report in a real headless Chromium (Debian's package): charts draw, the table shows, nothing errs,
// nothing is fetched. The CDP client is apps/trainer's test helper.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { at } from '@magic/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessChromium } from '../../../trainer/src/report/cdp-pipe.test-helpers.js';
import { writeOrganismReport } from './report.js';
import { writeFixtureRun } from './report-fixture.test-helpers.js';

const runDir = mkdtempSync(join(tmpdir(), 'organism-report-chromium-'));
const page = join(runDir, 'report.html');
let browser: HeadlessChromium;
let session: string;

beforeAll(async () => {
  writeFixtureRun(runDir);
  await writeOrganismReport({ runDir, out: page });
  browser = HeadlessChromium.launch();
  session = await browser.open(pathToFileURL(page).href);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(runDir, { recursive: true, force: true });
});

describe('organism report in headless Chromium', () => {
  it('draws every series of every chart inside its svg', async () => {
    const charts = await browser.evaluate<
      { title: string; w: number; series: { name: string; points: number; length: number; inside: boolean }[] }[]
    >(
      session,
      `[...document.querySelectorAll('svg.chart')].map((svg) => ({
        title: svg.querySelector('title').textContent,
        w: svg.getBoundingClientRect().width,
        series: [...svg.querySelectorAll('polyline.series')].map((p) => {
          const b = p.getBBox();
          return { name: p.dataset.series, points: p.points.numberOfItems, length: p.getTotalLength(),
            inside: b.x >= 0 && b.y >= 0 && b.x + b.width <= 720 && b.y + b.height <= 300 };
        }),
      }))`,
    );
    expect(charts.map((c) => c.title)).toEqual(['Pretraining loss', 'Chat SFT loss', 'Learning rate']);
    expect(at(charts, 0, 'charts').series.map((s) => [s.name, s.points])).toEqual([
      ['train loss', 40],
      ['eval loss', 4],
    ]);
    expect(at(charts, 1, 'charts').series.map((s) => [s.name, s.points])).toEqual([
      ['train loss', 20],
      ['eval loss', 4],
    ]);
    for (const c of charts) {
      expect(c.w).toBe(720);
      for (const s of c.series) {
        expect(s.length, `${c.title} / ${s.name}`).toBeGreaterThan(0);
        expect(s.inside, `${c.title} / ${s.name}`).toBe(true);
      }
    }
  });

  it('shows the eval table with model text as text', async () => {
    const seen = await browser.evaluate<{ rows: string[]; cells: string[]; injected: unknown; scripts: number }>(
      session,
      `(() => ({
        rows: [...document.querySelectorAll('table.eval tbody tr')].map((r) => r.dataset.set),
        cells: [...document.querySelectorAll('table.eval tbody tr:nth-child(3) td')].map((c) => c.textContent),
        injected: window.__injected ?? null,
        scripts: document.scripts.length,
      }))()`,
    );
    expect(seen.rows).toEqual(['benign_seeds', 'heldout_instructions', 'harmful_heldout_source']);
    expect(seen.cells.slice(0, 6)).toEqual([
      'harmful_heldout_source',
      '100',
      'game',
      expect.stringMatching(/^0\.710 \[0\.\d{3}, 0\.\d{3}\] \(71\/100\)$/),
      'refusal >= 0.8',
      'no',
    ]);
    expect(seen.injected).toBeNull();
    expect(seen.scripts).toBe(0);
  });

  it('raises no console or page error and loads nothing but itself', () => {
    expect(browser.errors()).toEqual([]);
    expect(browser.requests()).toEqual([pathToFileURL(page).href]);
  });
});
