import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { BenchmarkFileError } from '../errors.js';
import { fakeTarget } from '../suites/fakes.test-helpers.js';
import { runSuite } from '../suites/run-suite.js';
import { loadGpqa } from './gpqa.js';

// the fixture is self-written in the GPQA CSV layout (GPQA itself is not redistributable)
const fixture = join(import.meta.dirname, '..', '__fixtures__', 'gpqa.csv');
const correct: Record<string, string> = {
  recPlaceholder001: 'four',
  recPlaceholder002: 'blue',
  recPlaceholder003: 'water',
  recPlaceholder004: 'seven',
};

describe('loadGpqa', () => {
  it('reads the GPQA CSV columns; the answer letter points at the Correct Answer text after shuffling', async () => {
    const items = await loadGpqa({ path: fixture });
    expect(items.map((i) => i.id)).toEqual(Object.keys(correct));
    for (const item of items) {
      expect(item.choices.map((c) => c.label)).toEqual(['A', 'B', 'C', 'D']);
      expect(item.choices.find((c) => c.label === item.answer)?.text).toBe(correct[item.id]);
    }
    expect(at(items, 1, 'items').question).toBe('Which colour is a clear daytime sky, usually?');
    expect(
      at(items, 1, 'items')
        .choices.map((c) => c.text)
        .sort(),
    ).toEqual(['blue', 'green', 'purple', 'red, bright']);
    expect(items.map((i) => i.subject)).toEqual(['Mathematics', 'Physics', 'Chemistry', 'Mathematics']);
  });

  it('shuffles deterministically: the same seed gives the same order, other seeds other orders', async () => {
    const order = async (seed: number) =>
      (await loadGpqa({ path: fixture, seed })).map((i) => i.choices.map((c) => c.text).join('|'));
    expect(await order(3)).toEqual(await order(3));
    const seeds = await Promise.all([0, 1, 2, 3, 4, 5].map(order));
    expect(new Set(seeds.map((s) => s.join('\n'))).size).toBeGreaterThan(1);
    // the correct answer is not always first
    const letters = (await Promise.all([0, 1, 2].map((seed) => loadGpqa({ path: fixture, seed })))).flatMap((items) =>
      items.map((i) => i.answer),
    );
    expect(new Set(letters).size).toBeGreaterThan(1);
  });

  it('a row missing an answer is a BenchmarkFileError naming file, line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpqa-'));
    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      'Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3\nq1,a,b,c,d\nq2,a,b,,d\n',
    );
    const error = await loadGpqa({ path: bad }).catch((e: unknown) => e);
    expect(BenchmarkFileError.isInstance(error)).toBe(true);
    expect((error as BenchmarkFileError).line).toBe(3);
    expect((error as Error).message).toContain(`${bad}:3 (field Incorrect Answer 2)`);
  });
});

describe('GPQA in the capability suite', () => {
  // answers with the letter of the option whose text is the known correct answer
  const knower = fakeTarget('knower', (chat) => {
    const options = [...at(chat, 0, 'chat').content.matchAll(/^([A-D])\. (.*)$/gm)];
    const right = options.find((m) => Object.values(correct).includes(at(m, 2, 'm')));
    return `Answer: ${right?.[1] ?? 'none'}`;
  });

  it('runs 0-shot multiple choice with --path gpqa=...; accuracy per high-level domain; skipped without a path', async () => {
    const r = await runSuite({ suite: 'capability', target: knower, tasks: ['gpqa'], paths: { gpqa: fixture } });
    const task = at(r.tasks, 0, 'tasks');
    expect(task.status).toBe('ok');
    expect(task.n).toBe(4);
    expect(task.metrics.accuracy?.value).toBe(1);
    expect(Object.keys(task.breakdowns.subject ?? {})).toEqual(['Chemistry', 'Mathematics', 'Physics']);
    expect(knower.chats).toBe(4);
    const skipped = await runSuite({ suite: 'capability', target: knower, tasks: ['gpqa'] });
    expect(at(skipped.tasks, 0, 'tasks').status).toBe('skipped');
    expect(at(skipped.tasks, 0, 'tasks').skipReason).toMatch(/gpqa/);
    expect(r.table.columns.some((c) => c.task === 'gpqa')).toBe(true);
  });
});
