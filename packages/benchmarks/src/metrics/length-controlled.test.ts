import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { fakeTarget } from '../suites/fakes.test-helpers.js';
import { parsePairwiseVerdict } from '../suites/run-alpaca-eval-task.js';
import { runSuite } from '../suites/run-suite.js';
import { lengthControlledWinRate, type PairwisePreference } from './length-controlled.js';

const fixtures = join(import.meta.dirname, '..', '__fixtures__');
const items = (JSON.parse(readFileSync(join(fixtures, 'alpaca-lc.json'), 'utf8')) as { items: PairwisePreference[] })
  .items;

describe('lengthControlledWinRate', () => {
  it('matches the closed-form value of the fixture (computed by __fixtures__/alpaca-lc-expected.py)', () => {
    // python3 alpaca-lc-expected.py → {"winRate": 0.6, "lc": 0.5492528063660471, "wLen": -1.3176781943970324,
    //                                   "wModel": 0.19765218463111656}
    const r = lengthControlledWinRate(items);
    expect(r.n).toBe(10);
    expect(r.winRate).toBeCloseTo(0.6, 12);
    expect(r.lengthControlledWinRate).toBeCloseTo(0.5492528063660471, 9);
    expect(r.weights.lengthTanh).toBeCloseTo(-1.3176781943970324, 8);
    expect(r.weights.model).toBeCloseTo(0.19765218463111656, 8);
    expect(r.weights.instructionDifficulty).toBeUndefined();
  });

  it('equal lengths leave only the model term: LC = raw win rate', () => {
    const flat = [1, 1, 0, 0.5].map((preference) => ({ preference, modelLength: 10, baselineLength: 10 }));
    const r = lengthControlledWinRate(flat);
    expect(r.weights.lengthTanh).toBeUndefined();
    expect(r.lengthControlledWinRate).toBeCloseTo(0.625, 10);
    expect(r.weights.model).toBeCloseTo(Math.log(0.625 / 0.375), 8);
  });

  it('with instruction difficulty the fit is the maximum-likelihood one (score equations are zero)', () => {
    const withDifficulty = items.map((i, k) => ({ ...i, instructionDifficulty: at([0.3, -0.2, 1.1], k % 3, 'value') }));
    const r = lengthControlledWinRate(withDifficulty);
    const std = 202.2599587389726; // python statistics.stdev of the fixture's baseline - model lengths
    const x = (i: PairwisePreference) => [
      Math.tanh((i.baselineLength - i.modelLength) / std),
      defined(i.instructionDifficulty, 'i.instructionDifficulty'),
      1,
    ];
    const w = [
      defined(r.weights.lengthTanh, 'r.weights.lengthTanh'),
      defined(r.weights.instructionDifficulty, 'r.weights.instructionDifficulty'),
      r.weights.model,
    ];
    const grad = [0, 0, 0];
    for (const i of withDifficulty.filter((i) => i.preference !== null)) {
      const p = 1 / (1 + Math.exp(-x(i).reduce((s, v, k) => s + v * at(w, k, 'w'), 0)));
      x(i).forEach((v, k) => {
        grad[k] = at(grad, k, 'grad') + (defined(i.preference, 'i.preference') - p) * v;
      });
    }
    for (const g of grad) expect(Math.abs(g)).toBeLessThan(1e-8);
    const lc = withDifficulty.reduce(
      (s, i) =>
        s +
        1 /
          (1 +
            Math.exp(-(at(w, 1, 'w') * defined(i.instructionDifficulty, 'i.instructionDifficulty') + at(w, 2, 'w')))),
      0,
    );
    expect(r.lengthControlledWinRate).toBeCloseTo(lc / withDifficulty.length, 12);
  });

  it('no verdict at all is NaN, never a number', () => {
    const r = lengthControlledWinRate([{ preference: null, modelLength: 1, baselineLength: 2 }]);
    expect(r.lengthControlledWinRate).toBeNaN();
    expect(r.n).toBe(0);
  });
});

describe('parsePairwiseVerdict', () => {
  it('reads the first standalone A or B', () => {
    expect(parsePairwiseVerdict('A')).toBe('A');
    expect(parsePairwiseVerdict('**B**')).toBe('B');
    expect(parsePairwiseVerdict('Output B is better')).toBe('B');
    expect(parsePairwiseVerdict('Both are fine')).toBeNull();
  });
});

describe('AlpacaEval 2 task', () => {
  it('judges model vs reference in a seeded order and reports LC and raw win rate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alpaca-'));
    const file = join(dir, 'alpaca.json');
    const rows = Array.from({ length: 6 }, (_, i) => ({
      dataset: 'placeholder',
      instruction: `Placeholder instruction ${i}`,
      output: 'REF',
      generator: 'baseline',
    }));
    writeFileSync(file, JSON.stringify(rows));
    const target = fakeTarget('model', () => 'MODEL answer');
    // prefers the model's output wherever it is shown
    const judgeParams: { temperature: number; maxTokens: number }[] = [];
    const judgeLlm = fakeTarget('judge', (chat) => {
      const text = at(chat, 0, 'chat').content;
      return text.indexOf('Output A:\nMODEL') >= 0 ? 'A' : 'B';
    });
    const generate = judgeLlm.generate.bind(judgeLlm);
    judgeLlm.generate = (chats, params) => {
      judgeParams.push({ temperature: params.temperature, maxTokens: params.maxTokens });
      return generate(chats, params);
    };
    const r = await runSuite({
      suite: 'capability',
      target,
      judgeLlm,
      tasks: ['alpacaEval'],
      paths: { alpacaEval: file },
      generation: { temperature: 0.7, maxTokens: 8192 },
    });
    expect(judgeParams.length).toBeGreaterThan(0);
    expect(judgeParams.every((p) => p.temperature === 0 && p.maxTokens === 64)).toBe(true);
    const task = at(r.tasks, 0, 'tasks');
    expect(task.status).toBe('ok');
    expect(task.metrics.win_rate?.value).toBe(1);
    expect(judgeLlm.chats).toBe(6);
    const shownFirst = task.samples.map((s) => s.detail?.modelShownFirst);
    expect(new Set(shownFirst).size).toBe(2);
    const skipped = await runSuite({ suite: 'capability', target, tasks: ['alpacaEval'], paths: { alpacaEval: file } });
    expect(at(skipped.tasks, 0, 'tasks').skipReason).toMatch(/judge-llm/);
  });
});
