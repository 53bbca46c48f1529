import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { GenerationCache } from '../generation-cache.js';
import { loadArc } from '../loaders/arc.js';
import { loadGsm8k } from '../loaders/gsm8k.js';
import type { RunResults } from '../results.js';
import { runResultsSchema } from '../results.js';
import { fakeGuard, fakeTarget } from './fakes.test-helpers.js';
import { runSuite } from './run-suite.js';
import { stratifiedHead } from './task-rows.js';

const fixtures = join(import.meta.dirname, '..', '__fixtures__');
const paths = {
  wildguardtest: join(fixtures, 'wildguardtest.csv'),
  strongreject: join(fixtures, 'strongreject.csv'),
  cosafe: join(fixtures, 'cosafe'),
};
const metric = (r: RunResults, task: string, name: string) => r.tasks.find((t) => t.id === task)?.metrics[name]?.value;
const fast = { bootstrapSamples: 200 };

describe('runSuite safety (fake target and guard)', () => {
  it('an always-complying target: every ASR 1, RTA 0, compliance 1; unshipped sets without path are skipped', async () => {
    const target = fakeTarget('complier', () => 'Sure, here you go.');
    const r = await runSuite({ suite: 'safety', target, judge: fakeGuard, limit: 3, paths, ...fast });
    expect(runResultsSchema.parse(r)).toEqual(r);
    for (const task of ['wjbAdv', 'dan', 'hbAdv', 'hbVan']) expect(metric(r, task, 'asr'), task).toBe(1);
    // the fixture has 2 adversarial and 1 vanilla harmful prompt
    expect(r.tasks.find((t) => t.id === 'wgAdv')?.n).toBe(2);
    expect(r.tasks.find((t) => t.id === 'wgVan')?.n).toBe(1);
    expect(metric(r, 'strongreject', 'rta')).toBe(0);
    expect(metric(r, 'xstest', 'inverted_rta_all_safe')).toBe(1);
    expect(metric(r, 'wjbBenign', 'compliance')).toBe(1);
    const orBench = defined(
      r.tasks.find((t) => t.id === 'orBenchToxic'),
      'orBenchToxic',
    );
    expect(orBench.status).toBe('skipped');
    expect(orBench.skipReason).toMatch(/orBench.*pass \{ path \}/);
    expect(Object.keys(r.tasks.find((t) => t.id === 'hbAdv')?.breakdowns.method ?? {})).toHaveLength(3);
    expect(r.tasks.find((t) => t.id === 'hbVan')?.samples[0]?.prompt).toEqual(expect.any(String));
  });

  it('applies each benchmark’s parse-failure rule: WildGuardTest counts it harmful, HarmBench not', async () => {
    const target = fakeTarget('garbler', () => 'GARBLE');
    const r = await runSuite({
      suite: 'safety',
      target,
      judge: fakeGuard,
      limit: 2,
      paths,
      tasks: ['wgAdv', 'hbVan', 'wjbAdv'],
      ...fast,
    });
    expect(metric(r, 'wgAdv', 'asr')).toBe(1);
    expect(metric(r, 'hbVan', 'asr')).toBe(0);
    expect(metric(r, 'wjbAdv', 'asr')).toBe(0);
    expect(r.tasks.every((t) => t.parseFailures === t.n)).toBe(true);
  });

  it('a refusing target on XSTest: RTA on contrast 1, compliance on safe 0; progress events reach the total', async () => {
    const target = fakeTarget('refuser', () => "Sorry, I can't help with that.");
    const events: { phase: string; done: number; total: number }[] = [];
    const r = await runSuite({
      suite: 'over-refusal',
      target,
      judge: fakeGuard,
      tasks: ['xstest'],
      onProgress: (e) => events.push(e),
      ...fast,
    });
    expect(events.filter((e) => e.phase === 'generate').at(-1)).toMatchObject({ done: 450, total: 450 });
    expect(events.filter((e) => e.phase === 'judge').at(-1)).toMatchObject({ done: 450, total: 450 });
    expect(metric(r, 'xstest', 'rta_all_contrast')).toBe(1);
    expect(metric(r, 'xstest', 'inverted_rta_all_safe')).toBe(0);
    expect(at(r.tasks, 0, 'tasks').n).toBe(450);
  });

  it('the generation cache: a second run makes no generation calls and gives the same metrics', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-cache-')), 'cache.jsonl');
    const first = fakeTarget('cached-target', (chat) =>
      at(chat, 0, 'chat').content.length % 2 === 0 ? 'Sure.' : 'Sorry, no.',
    );
    const a = await runSuite({
      suite: 'safety',
      target: first,
      judge: fakeGuard,
      limit: 5,
      tasks: ['hbVan', 'dan'],
      batchSize: 2,
      cache: await GenerationCache.open(file),
      ...fast,
    });
    expect(first.chats).toBe(10);
    expect(first.calls).toBe(6); // 5 prompts per task in batches of 2 → 3 calls per task
    expect(a.stats).toMatchObject({ generated: 10, cached: 0 });
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(10);
    const second = fakeTarget('cached-target', () => 'never used');
    const b = await runSuite({
      suite: 'safety',
      target: second,
      judge: fakeGuard,
      limit: 5,
      tasks: ['hbVan', 'dan'],
      batchSize: 2,
      cache: await GenerationCache.open(file),
      ...fast,
    });
    expect(second.calls).toBe(0);
    expect(b.stats).toMatchObject({ generated: 0, cached: 10 });
    expect(b.tasks.map((t) => t.metrics)).toEqual(a.tasks.map((t) => t.metrics));
    // a different target id or generation params misses the cache
    const third = fakeTarget('cached-target', () => 'Sure.');
    await runSuite({
      suite: 'safety',
      target: third,
      judge: fakeGuard,
      limit: 5,
      tasks: ['dan'],
      cache: await GenerationCache.open(file),
      generation: { temperature: 0.7 },
      ...fast,
    });
    expect(third.chats).toBe(5);
  });
});

describe('stratifiedHead', () => {
  it('takes rows round-robin over a field', () => {
    const rows = ['a1', 'a2', 'a3', 'b1', 'c1', 'c2'].map((id) => ({ id, g: id[0] }));
    expect(stratifiedHead(rows, 'g', 5).map((r) => (r as { id: string }).id)).toEqual(['a1', 'b1', 'c1', 'a2', 'c2']);
    expect(stratifiedHead(rows, 'g', 10)).toHaveLength(6);
  });
});

describe('runSuite capability', () => {
  it('answer-letter parsing, GSM8K exact match and IFEval with an oracle endpoint', async () => {
    const arc = await loadArc();
    const gsm = await loadGsm8k();
    const arcAnswer = new Map(arc.map((i) => [i.question, i.answer]));
    const gsmTarget = new Map(gsm.map((r) => [r.question, r.target]));
    const target = fakeTarget('oracle', (chat) => {
      const text = at(chat, 0, 'chat').content;
      const question = at(text.split('\n'), 0, 'n');
      if (arcAnswer.has(question)) return `The answer is ${arcAnswer.get(question)}.`;
      const gsmQuestion = at(text.split('\n\n'), 0, 'n');
      if (gsmTarget.has(gsmQuestion)) return `Working...\n#### ${gsmTarget.get(gsmQuestion)}`;
      return 'a plain lowercase reply';
    });
    const r = await runSuite({ suite: 'capability', target, limit: 4, tasks: ['arc', 'gsm8k', 'ifeval'], ...fast });
    expect(metric(r, 'arc', 'accuracy')).toBe(1);
    expect(metric(r, 'gsm8k', 'exact_match')).toBe(1);
    const ifeval = defined(
      r.tasks.find((t) => t.id === 'ifeval'),
      'ifeval',
    );
    expect(ifeval.n).toBe(4);
    expect(Object.keys(ifeval.metrics).sort()).toEqual([
      'instruction_loose',
      'instruction_strict',
      'prompt_loose',
      'prompt_strict',
    ]);
  });

  it('log-likelihood scoring when the target can score continuations (no generation)', async () => {
    const target = {
      ...fakeTarget('scorer', () => 'unused'),
      async scoreContinuations(_prompt: string, continuations: readonly string[]) {
        return continuations.map((c) => (c === ' A' ? 0 : -1));
      },
    };
    const r = await runSuite({ suite: 'capability', target, limit: 6, tasks: ['mmlu'], ...fast });
    const mmlu = at(r.tasks, 0, 'tasks');
    const expected = mmlu.samples.filter((s) => (s.detail as { answer: string }).answer === 'A').length / 6;
    expect(defined(mmlu.metrics.accuracy, 'mmlu.metrics.accuracy').value).toBeCloseTo(expected);
    expect(r.stats.generated).toBe(0);
    // stratified by subject: 6 rows from 6 subjects
    expect(Object.keys(mmlu.breakdowns.subject ?? {})).toHaveLength(6);
  });
});

describe('runSuite multi-turn', () => {
  it('X-Teaming: a behaviour succeeds when any plan reaches score 5; CoSafe replay judges the last user turn', async () => {
    const planner = fakeTarget('planner', () => 'Here you go: {"plans": ["plan A", "plan B"]}');
    const attacker = fakeTarget(
      'attacker',
      (chat) => `message following ${/Plan: (plan [AB])/.exec(at(chat, 0, 'chat').content)?.[1]}`,
    );
    const target = fakeTarget('defender', (chat) => {
      const last = defined(chat.at(-1), 'chat').content;
      if (last.includes('[placeholder coreference turn]')) return 'Sure, placeholder.';
      return last.includes('plan B') && chat.length >= 3 ? 'yield' : 'Sorry, no.';
    });
    const scorer = fakeTarget('scorer', (chat) =>
      at(chat, 0, 'chat').content.includes('yield') ? 'Score: 5. It complied.' : 'Score: 1',
    );
    const r = await runSuite({
      suite: 'multi-turn',
      target,
      judge: fakeGuard,
      limit: 3,
      paths,
      multiTurn: { planner, attacker, scorer, config: { plansPerBehavior: 2, maxTurns: 3 } },
      ...fast,
    });
    const xt = defined(
      r.tasks.find((t) => t.id === 'xTeaming'),
      'xTeaming',
    );
    expect(xt.status).toBe('ok');
    expect(defined(xt.metrics.asr, 'xt.metrics.asr').value).toBe(1);
    expect(defined(xt.metrics.planSuccessRate, 'xt.metrics.planSuccessRate').value).toBe(0.5);
    expect(at(xt.samples, 0, 'samples').detail).toMatchObject({ plans: 2, successfulPlans: 1, turns: [3, 2] });
    const cosafe = defined(
      r.tasks.find((t) => t.id === 'cosafe'),
      'cosafe',
    );
    // stratified by category: cooking/0, gardening/0, cooking/1 (its trailing assistant turn is cut, so the
    // target answers the coreference user turn and the guard flags the "Sure" reply)
    expect(cosafe.n).toBe(3);
    expect(defined(cosafe.metrics.asr, 'cosafe.metrics.asr').value).toBeCloseTo(1 / 3);
    expect(Object.keys(cosafe.breakdowns.category ?? {})).toEqual(['cooking', 'gardening']);
  });

  it('X-Teaming without endpoints is skipped with the reason', async () => {
    const r = await runSuite({
      suite: 'multi-turn',
      target: fakeTarget('t', () => 'x'),
      judge: fakeGuard,
      limit: 1,
      tasks: ['xTeaming'],
      ...fast,
    });
    expect(r.tasks[0]).toMatchObject({ status: 'skipped', skipReason: expect.stringMatching(/planner/) });
  });
});

describe('runSuite judge-quality', () => {
  it('precision / recall / F1 of a guard against WildGuardTest’s three label columns', async () => {
    const r = await runSuite({ suite: 'judge-quality', judge: fakeGuard, paths, ...fast });
    const wgt = defined(
      r.tasks.find((t) => t.id === 'wildguardtestJudge'),
      'wildguardtestJudge',
    );
    // prompt harm: guard flags only "adversarial" prompts → TP 2, FN 1, FP 0
    expect(defined(wgt.metrics.promptHarm_precision, 'wgt.metrics.promptHarm_precision').value).toBe(1);
    expect(defined(wgt.metrics.promptHarm_recall, 'wgt.metrics.promptHarm_recall').value).toBeCloseTo(2 / 3);
    expect(defined(wgt.metrics.promptHarm_f1, 'wgt.metrics.promptHarm_f1').value).toBeCloseTo(0.8);
    expect(defined(wgt.metrics.responseHarm_f1, 'wgt.metrics.responseHarm_f1').value).toBe(1);
    expect(defined(wgt.metrics.responseHarm_f1, 'wgt.metrics.responseHarm_f1').n).toBe(4); // one empty label skipped
    expect(defined(wgt.metrics.responseRefusal_f1, 'wgt.metrics.responseRefusal_f1').value).toBe(1);
    // adversarial rows (3, 4, 5): prompt harm gold H H U, predicted H H U → F1 1; vanilla rows (1, 2): gold U H, predicted U U → F1 0
    expect(wgt.breakdowns.adversarial?.adversarial?.promptHarm_f1?.value).toBe(1);
    expect(wgt.breakdowns.adversarial?.vanilla?.promptHarm_f1?.value).toBe(0);
    expect(
      defined(
        r.tasks.find((t) => t.id === 'openaiModerationJudge'),
        'openaiModerationJudge',
      ).status,
    ).toBe('skipped');
    expect(
      defined(
        r.tasks.find((t) => t.id === 'guardLabelsJudge'),
        'guardLabelsJudge',
      ).status,
    ).toBe('skipped');
  });

  it('scores a user labelled set (guardLabels): hand-counted P/R/F1 per label with bootstrap CIs', async () => {
    const r = await runSuite({
      suite: 'judge-quality',
      judge: fakeGuard,
      paths: { guardLabels: join(fixtures, 'guard-labels.jsonl') },
      ...fast,
    });
    const t = defined(
      r.tasks.find((x) => x.id === 'guardLabelsJudge'),
      'guardLabelsJudge',
    );
    expect(t.status).toBe('ok');
    // prompt harm: TP 2, FN 1, FP 1, TN 1
    expect(defined(t.metrics.promptHarm_precision, 't.metrics.promptHarm_precision').value).toBeCloseTo(2 / 3);
    expect(defined(t.metrics.promptHarm_recall, 't.metrics.promptHarm_recall').value).toBeCloseTo(2 / 3);
    expect(defined(t.metrics.promptHarm_f1, 't.metrics.promptHarm_f1').value).toBeCloseTo(2 / 3);
    expect(defined(t.metrics.promptHarm_f1, 't.metrics.promptHarm_f1').n).toBe(5); // the last row has no prompt label
    expect(defined(t.metrics.promptHarm_positives, 't.metrics.promptHarm_positives').value).toBe(3);
    // response harm: TP 1, TN 2, and the unparseable reply counts as wrong (FP) -> P 1/2, R 1
    expect(defined(t.metrics.responseHarm_f1, 't.metrics.responseHarm_f1').value).toBeCloseTo(2 / 3);
    expect(defined(t.metrics.responseHarm_f1, 't.metrics.responseHarm_f1').n).toBe(4);
    expect(t.parseFailures).toBe(1); // the GARBLE row (its refusal label is null, so only response harm counts it)
    // refusal: the null label is skipped; 1 TP, 2 TN
    expect(defined(t.metrics.responseRefusal_f1, 't.metrics.responseRefusal_f1')).toMatchObject({ value: 1, n: 3 });
    const ci = defined(defined(t.metrics.promptHarm_f1, 't.metrics.promptHarm_f1').ci, 'ci');
    expect(ci.lower).toBeLessThanOrEqual(2 / 3);
    expect(ci.upper).toBeGreaterThanOrEqual(2 / 3);
    expect(ci.lower).toBeLessThan(ci.upper);
    // every refusal answer is right, so every resample's accuracy is 1
    expect(defined(t.metrics.responseRefusal_accuracy, 't.metrics.responseRefusal_accuracy').ci).toMatchObject({
      lower: 1,
      upper: 1,
    });
  });
});
