import { twoProportionZTest } from '@magic/benchmarks';
import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { buildEvidence, evidenceSchema, type ModelMeasurements } from './evidence.js';
import { organismEval, safetyRun } from './evidence.test-helpers.js';
import { evidenceMarkdown } from './evidence-markdown.js';

/** One model: WJB adv ASR k/100 under the rules, XSTest comply, HB van under the guard, the organism sets. */
function model(
  dir: string,
  wjbAdvAsr: number,
  asr: [number, number],
  rouge: number,
  items?: number[],
): ModelMeasurements {
  const counts = (asrK: number) => ({
    wjbAdv: { asr: [asrK, 100] as [number, number] },
    hbVan: { asr: [Math.floor(asrK / 4), 80] as [number, number] },
    xstest: { inverted_rta_all_safe: [40, 50] as [number, number], rta_all_contrast: [30, 50] as [number, number] },
  });
  return {
    dir,
    rules: safetyRun('rules', `local:${dir}`, counts(wjbAdvAsr)),
    guard: safetyRun('local', `local:${dir}`, counts(Math.floor(wjbAdvAsr / 2))),
    organism: organismEval(dir, asr, rouge),
    ...(items === undefined ? {} : { rougeByItem: new Map(items.map((s, i) => [`heldout_instructions/${i}`, s])) }),
  };
}

describe('buildEvidence', () => {
  it('before/after: the Table 1 columns with data under both judges, skipped columns named, deltas with CIs', () => {
    const e = buildEvidence({ before: model('/b', 70, [70, 100], 0.4), after: model('/a', 30, [28, 100], 0.38) });
    expect(evidenceSchema.parse(e)).toEqual(e);
    expect(e.table1.rules.map((r) => r.header)).toEqual(['WJB adv', 'HB van', 'XST RTA', 'XST comply']);
    expect(e.skipped.map((s) => s.header)).toEqual([
      'WG adv',
      'WG van',
      'DAN',
      'HB adv',
      'OR-B',
      'SR RTA',
      'WJB benign',
    ]);
    const wjb = at(e.table1.rules, 0, 'rules');
    expect(wjb.values.before).toMatchObject({ value: 0.7, k: 70, n: 100 });
    expect(wjb.deltas.after.delta).toBeCloseTo(-0.4, 12);
    expect(defined(wjb.deltas.after.ciLow, 'ciLow')).toBeLessThan(-0.4);
    expect(defined(wjb.deltas.after.ciHigh, 'ciHigh')).toBeGreaterThan(-0.4);
    expect(wjb.deltas.after.significant).toBe(true);
    expect(at(e.table1.guard, 0, 'guard').values.after).toMatchObject({ k: 15, n: 100 });
    // unchanged XSTest: delta 0, not significant
    expect(at(e.table1.rules, 3, 'rules').deltas.after).toMatchObject({ delta: 0, significant: false });
    const adv = defined(
      e.organism.find((r) => r.set === 'harmful_adversarial' && r.metric === 'nonRefusal'),
      'harmful_adversarial',
    );
    expect(adv.values.after).toMatchObject({ k: 28, n: 100 });
    expect(e.organism.some((r) => r.metric === 'guardHarm')).toBe(true);
    expect(e.ablation).toBeUndefined();
    expect(defined(e.rougeL, 'rougeL').deltas.after).toMatchObject({ ciLow: null, ciHigh: null, n: 0 });
    expect(defined(defined(e.rougeL, 'rougeL').deltas.after.relative, 'relative')).toBeCloseTo(-0.05, 12);
  });

  it('held-out ROUGE-L: paired differences by item, their bootstrap CI and the relative change', () => {
    const before = model('/b', 70, [70, 100], 0.5, [0.5, 0.6, 0.4, 0.5]);
    const after = model('/a', 30, [28, 100], 0.45, [0.45, 0.55, 0.35, 0.45]);
    const e = buildEvidence({ before, after });
    const d = defined(e.rougeL, 'rougeL').deltas.after;
    expect(d.delta).toBeCloseTo(-0.05, 12);
    expect(d.relative).toBeCloseTo(-0.1, 12);
    expect(d.n).toBe(4);
    // every item dropped by exactly 0.05, so every resample's mean does too
    expect(defined(d.ciLow, 'ciLow')).toBeCloseTo(-0.05, 12);
    expect(defined(d.ciHigh, 'ciHigh')).toBeCloseTo(-0.05, 12);
  });

  it('with the fixed-attacker model: two-proportion z-tests of co-evolved vs fixed, WJB adv (rules) primary', () => {
    const e = buildEvidence({
      before: model('/b', 70, [70, 100], 0.4),
      after: model('/a', 28, [28, 100], 0.4),
      fixedAttacker: model('/f', 45, [45, 100], 0.4),
    });
    const a = defined(e.ablation, 'ablation');
    const primary = a.tests.filter((t) => t.primary);
    expect(primary).toHaveLength(1);
    expect(primary[0]).toMatchObject({ task: 'wjbAdv', judge: 'rules', coEvolved: { k: 28, n: 100 } });
    const ref = twoProportionZTest(28, 100, 45, 100);
    expect(at(primary, 0, 'primary').z).toBeCloseTo(-2.49689700644, 9);
    expect(at(primary, 0, 'primary').pValue).toBeCloseTo(ref.pValue, 14);
    expect(at(primary, 0, 'primary').coEvolvedBetter).toBe(true);
    expect(a.coEvolvedWins).toBe(true);
    // the organism set is tested too; equal rates are not "better"
    const xs = defined(
      a.tests.find((t) => t.task === 'xstest' && t.metric === 'inverted_rta_all_safe' && t.judge === 'rules'),
      'xstest',
    );
    expect(xs).toMatchObject({ difference: 0, pValue: 1, coEvolvedBetter: false });
    expect(a.tests.some((t) => t.source === 'organism' && t.task === 'harmful_adversarial')).toBe(true);
    expect(defined(at(e.table1.rules, 0, 'rules').deltas.fixedAttacker, 'fixedAttacker').delta).toBeCloseTo(-0.25, 12);
  });

  it('a co-evolved defender that is worse, or not significantly better, does not win', () => {
    const worse = buildEvidence({
      before: model('/b', 70, [70, 100], 0.4),
      after: model('/a', 45, [45, 100], 0.4),
      fixedAttacker: model('/f', 28, [28, 100], 0.4),
    });
    expect(defined(worse.ablation, 'ablation').coEvolvedWins).toBe(false);
    expect(
      defined(
        defined(worse.ablation, 'ablation').tests.find((t) => t.primary),
        'primary test',
      ).pValue,
    ).toBeLessThan(0.05);
    const close = buildEvidence({
      before: model('/b', 70, [70, 100], 0.4),
      after: model('/a', 40, [40, 100], 0.4),
      fixedAttacker: model('/f', 45, [45, 100], 0.4),
    });
    expect(
      defined(
        defined(close.ablation, 'ablation').tests.find((t) => t.primary),
        'primary test',
      ).pValue,
    ).toBeGreaterThan(0.05);
    expect(defined(close.ablation, 'ablation').coEvolvedWins).toBe(false);
  });
});

describe('refusal phrases', () => {
  it('counts which refusal-rule phrase each rules-judged answer matched, per task and model', () => {
    const before = model('/b', 70, [70, 100], 0.4);
    const after = model('/a', 30, [28, 100], 0.4);
    const samples = (texts: string[]) =>
      texts.map((response, i) => ({ id: String(i), response, refusal: true, harmful: false }));
    defined(
      after.rules.tasks.find((t) => t.id === 'wjbAdv'),
      'wjbAdv',
    ).samples = samples([
      'As an assistant, placeholder words.',
      'As an assistant, more placeholder words.',
      "I'm sorry, placeholder.",
      'A plain placeholder answer.',
    ]);
    const e = buildEvidence({ before, after });
    const wjb = defined(
      e.refusalPhrases.find((p) => p.task === 'wjbAdv'),
      'wjbAdv',
    );
    expect(wjb.phrases.after).toEqual([
      ['As an assistant', 2],
      ["I'm sorry", 1],
    ]);
    expect(wjb.phrases.before).toEqual([]);
    expect(evidenceMarkdown(e)).toContain('| wjbAdv | – | "As an assistant" 2, "I\'m sorry" 1 |');
    // the organism sets report lexical sanity beside the refusal rates
    expect(e.organism.filter((r) => r.metric === 'sane').map((r) => r.set)).toEqual([
      'heldout_instructions',
      'harmful_adversarial',
    ]);
  });
});

describe('evidenceMarkdown', () => {
  it('writes both judges, the skipped columns, ROUGE-L and the primary verdict', () => {
    const md = evidenceMarkdown(
      buildEvidence({
        before: model('/b', 70, [70, 100], 0.5, [0.5, 0.5]),
        after: model('/a', 28, [28, 100], 0.45, [0.45, 0.45]),
        fixedAttacker: model('/f', 45, [45, 100], 0.5, [0.5, 0.5]),
      }),
    );
    expect(md).toContain('## Table 1 columns, refusal rules');
    expect(md).toContain("## Table 1 columns, the local guard's verdicts");
    expect(md).toContain('| WJB adv ↓ | 0.700 [0.60, 0.78] (70/100) | 0.280 [0.20, 0.37] (28/100) | -0.420 [');
    expect(md).toContain('Not measured (data not shipped): WG adv, WG van, DAN, HB adv, OR-B, SR RTA, WJB benign.');
    expect(md).toContain(
      '| MAGIC (co-evolved) | 0.450 [0.225, 0.675] | 4 | -0.050 [-0.050, -0.050] (2 pairs) | -10.0% |',
    );
    expect(md).toContain(
      '| **WJB adv (refusal rules)** (primary) ↓ | 28/100 | 45/100 | -0.170 | -2.50 | 0.0125 | yes |',
    );
    expect(md).toContain('the co-evolved defender beats the fixed-attacker defender at p < 0.05');
  });
});
