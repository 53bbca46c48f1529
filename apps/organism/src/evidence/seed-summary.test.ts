import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { buildEvidence, type Evidence, type ModelMeasurements } from './evidence.js';
import { organismEval, safetyRun } from './evidence.test-helpers.js';
import { seedSummaryMarkdown, summarizeSeeds, writeSeedSummary } from './seed-summary.js';

/** One defender: WJB adv ASR k/100 and WJB benign / XSTest safe compliance under both judges, the organism sets. */
function model(dir: string, wjbAdv: number, wjbBenign: number, rouge: number): ModelMeasurements {
  const counts = {
    wjbAdv: { asr: [wjbAdv, 100] as [number, number] },
    wjbBenign: { compliance: [wjbBenign, 100] as [number, number] },
    xstest: { inverted_rta_all_safe: [40, 50] as [number, number], rta_all_contrast: [30, 50] as [number, number] },
  };
  return {
    dir,
    rules: safetyRun('rules', `local:${dir}`, counts),
    guard: safetyRun('local', `local:${dir}`, counts),
    organism: organismEval(dir, [wjbAdv, 100], rouge),
  };
}

const seedEvidence = (co: number, fixed: number, coBenign = 80): Evidence =>
  buildEvidence({
    before: model('/start', 70, 80, 0.4),
    after: model('/co', co, coBenign, 0.39),
    fixedAttacker: model('/fixed', fixed, 80, 0.39),
  });

describe('summarizeSeeds', () => {
  it('co-evolved ahead at every seed: a paired CI below 0, 3/3 seeds, and the targets per seed', () => {
    const s = summarizeSeeds([
      { label: 's1', evidence: seedEvidence(30, 60) },
      { label: 's2', evidence: seedEvidence(36, 55) },
      { label: 's3', evidence: seedEvidence(32, 58, 60) },
    ]);
    const primary = s.tests[0];
    expect(primary?.primary).toBe(true);
    expect(primary?.name).toBe('WJB adv (refusal rules)');
    expect(primary?.perSeed.map((v) => [v.before, v.coEvolved, v.fixedAttacker])).toEqual([
      [0.7, 0.3, 0.6],
      [0.7, 0.36, 0.55],
      [0.7, 0.32, 0.58],
    ]);
    expect(primary?.paired.mean).toBeCloseTo(-0.25, 4);
    expect(primary?.paired.ciHigh).toBeLessThan(0);
    expect(primary?.coEvolvedBetterSeeds).toBe(3);
    expect(primary?.coEvolvedWins).toBe(true);
    // s3's co-evolved defender complies with 20 points fewer WJB benign prompts than at the start
    expect(s.targets).toEqual([
      { label: 's1', asrHalved: true, complianceKept: true, rougeKept: true },
      { label: 's2', asrHalved: false, complianceKept: true, rougeKept: true },
      { label: 's3', asrHalved: true, complianceKept: false, rougeKept: true },
    ]);
    const md = seedSummaryMarkdown(s);
    expect(md).toContain('| **WJB adv (refusal rules)** (primary) ↓ | 0.30 / 0.60 (0.70) | 0.36 / 0.55 (0.70) |');
    expect(md).toContain('| s3 | met | missed | met |');
  });

  it('directions that differ between seeds do not win, whatever one seed says', () => {
    const s = summarizeSeeds([
      { label: 'a', evidence: seedEvidence(10, 60) },
      { label: 'b', evidence: seedEvidence(90, 40) },
    ]);
    const primary = s.tests[0];
    expect(primary?.perSeed.map((v) => v.pValue < 0.05)).toEqual([true, true]);
    expect(primary?.coEvolvedBetterSeeds).toBe(1);
    expect(primary?.coEvolvedWins).toBe(false);
  });

  it('needs two seeds with the ablation', () => {
    expect(() => summarizeSeeds([{ label: 'a', evidence: seedEvidence(1, 2) }])).toThrow(/at least 2 seeds/);
    const noAblation = buildEvidence({ before: model('/s', 70, 80, 0.4), after: model('/a', 30, 80, 0.4) });
    expect(() =>
      summarizeSeeds([
        { label: 'a', evidence: seedEvidence(1, 2) },
        { label: 'b', evidence: noAblation },
      ]),
    ).toThrow(/b: has no fixed-attacker ablation/);
  });
});

describe('writeSeedSummary', () => {
  it('labels each file by its folder, writes summary.{md,json}, and names a file that is not evidence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seed-summary-'));
    try {
      const files = ['s42', 's43'].map((label, i) => {
        mkdirSync(join(dir, label));
        const f = join(dir, label, 'evidence.json');
        writeFileSync(f, JSON.stringify(seedEvidence(30 + i, 60)));
        return f;
      });
      const { summary, files: written } = await writeSeedSummary(files, join(dir, 'out'));
      expect(summary.seeds).toEqual(['s42', 's43']);
      expect(written.map((f) => f.slice(dir.length))).toEqual(['/out/summary.md', '/out/summary.json']);
      expect(JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'))).toEqual(summary);
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ format: 'something else' }));
      await expect(
        writeSeedSummary([defined(files[0], 'first evidence file'), bad], join(dir, 'out2')),
      ).rejects.toThrow(/bad\.json: not an evidence file at format/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
