import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { LocalGuard } from '../local/local-guard.js';
import { guardCvTargets, writeGuardCvReport } from './cv-report.js';
import { ngramGuardRecipe } from './recipe.js';
import { runGuardCv } from './run-guard-cv.js';

const data = (p: string) => fileURLToPath(new URL(`../../data/${p}`, import.meta.url));

// The CI-sized version of `magic-guard cv`: the shipped corpus and family map, a few rows per family.
describe('runGuardCv on the shipped corpus (small)', () => {
  it('writes a report whose folds hold out whole families and whose pooled counts add up', async () => {
    const report = await runGuardCv({
      dataDirs: [data('guard-training'), data('guard-cv')],
      familyMapFile: data('guard-cv/families.json'),
      recipe: ngramGuardRecipe({ epochs: 2 }),
      maxRowsPerFamily: 12,
      bootstrap: 20,
      loso: { strategies: ['role-play', 'caesar'], maxSeeds: 24 },
      reference: { name: 'shipped local guard', guard: LocalGuard.load() },
    });
    const families = report.corpus.families.map((f) => f.family);
    expect(families).toEqual(expect.arrayContaining(['advbench', 'harmbench', 'jbb', 'xstest', 'self-instruct']));
    expect(report.familyCv.folds.map((f) => f.family)).toEqual(families);
    for (const fold of report.familyCv.folds) {
      expect(fold.trainFamilies).not.toContain(fold.family);
      expect(fold.trainFamilies.length).toBeGreaterThan(0);
      expect(fold.residualOverlap).toBe(0);
    }
    for (const task of ['prompt', 'refusal', 'response'] as const) {
      const tested = report.familyCv.folds.reduce((n, f) => n + f.test[task], 0);
      expect(report.familyCv.pooled[task].n).toBe(tested);
      expect(report.corpus.rows[task]).toBe(tested);
      expect(report.familyCv.pooled[task].ci).not.toBeNull();
    }
    expect(defined(report.loso, 'report.loso').strategies.map((s) => s.strategy)).toEqual(['role-play', 'caesar']);
    expect(defined(report.loso, 'report.loso').pooled.n).toBe(2 * defined(report.loso, 'report.loso').probeSeeds);
    expect(report.targets).toEqual(guardCvTargets);
    // the shipped guard is scored only on families none of its training sources belong to
    const ref = defined(report.reference, 'report.reference');
    expect(ref.families).toEqual(expect.arrayContaining(['harmbench', 'jbb', 'xstest']));
    for (const own of ['advbench', 'self-instruct', 'hh-rlhf']) expect(ref.families).not.toContain(own);
    const unseen = report.corpus.families.filter((f) => ref.families.includes(f.family));
    expect(ref.pooled.prompt.n).toBe(unseen.reduce((n, f) => n + f.rows.prompt, 0));

    const dir = mkdtempSync(join(tmpdir(), 'guard-cv-'));
    const { json, markdown } = writeGuardCvReport(report, dir);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ format: 'magic-guard-cv/v1', guard: 'ngram' });
    const md = readFileSync(markdown, 'utf8');
    expect(md).toContain('## Pooled (micro) over held-out families');
    expect(md).toContain('| prompt harm |');
    expect(md).toContain('## Leave-one-strategy-out');
    expect(md).toContain('## shipped local guard on families it was not trained on');
  });
});
