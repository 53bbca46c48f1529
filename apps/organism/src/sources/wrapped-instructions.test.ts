import { at, defined } from '@magic/core';
import { isRefusal } from '@magic/judges';
import { describe, expect, it } from 'vitest';
import type { CorpusItem } from '../corpus/types.js';
import { WRAP_OPENERS, WRAP_STRATEGIES, wrapInstructions } from './wrapped-instructions.js';

const chat = (source: string, request: string, answer: string): CorpusItem => ({
  source,
  messages: [
    { role: 'user', content: request },
    { role: 'assistant', content: answer },
  ],
});

describe('wrapInstructions', () => {
  const items: CorpusItem[] = [];
  for (let i = 0; i < 400; i++)
    items.push(
      chat(
        at(
          ['t0:placeholder_task', 'docs-instructions:x', 'task-instructions:list:t0:placeholder_task'],
          i % 3,
          'source',
        ),
        `Describe item ${i}.`,
        `Item ${i} is a placeholder.`,
      ),
    );
  for (let i = 0; i < 100; i++)
    items.push(chat('advbench-train:refusal', `Placeholder refused request ${i}`, 'I cannot help with that.'));
  items.push({ source: 'python-docs:x', text: 'Prose is never wrapped.' });

  it('wraps about the given share of benign requests, keeps answers, never wraps refusals', async () => {
    const { items: out, report } = await wrapInstructions(items, { share: 0.25 });
    expect(out.length).toBeGreaterThan(60);
    expect(out.length).toBeLessThan(140);
    expect(report.items).toBe(out.length);
    for (const x of out) {
      if (!('messages' in x)) throw new Error('prose item');
      const [, strategy, ...rest] = x.source.split(':');
      expect(WRAP_STRATEGIES).toContain(strategy);
      expect(rest.join(':')).toMatch(/^(t0|docs-instructions|task-instructions):/);
      const request = at(x.messages, 0, 'request').content;
      const n = defined(/item (\d+)/.exec(request), 'item number in request')[1];
      expect(request).not.toBe(`Describe item ${n}.`);
      expect(request).toContain(`Describe item ${n}.`);
      const openers = defined(WRAP_OPENERS[strategy as keyof typeof WRAP_OPENERS], 'openers of strategy');
      expect(openers.map((o) => `${o} Item ${n} is a placeholder.`)).toContain(at(x.messages, 1, 'reply').content);
    }
    expect(new Set(out.map((x) => x.source.split(':')[1])).size).toBeGreaterThan(5);
    expect(out.filter((x) => x.source.includes(':task-instructions:list:')).length).toBeGreaterThan(10);
  });

  it('keeps the answer as it was without openers, and no opener reads as a refusal', async () => {
    const { items: out } = await wrapInstructions(items, { share: 0.25, openers: false });
    for (const x of out)
      if ('messages' in x) expect(at(x.messages, 1, 'reply').content).toMatch(/^Item \d+ is a placeholder\.$/);
    for (const pair of Object.values(WRAP_OPENERS))
      for (const o of defined(pair, 'opener pair')) expect(isRefusal(`${o} Item 1.`)).toBe(false);
  });

  it('is deterministic, takes nothing at share 0 and skips (and counts) over-long requests', async () => {
    const a = await wrapInstructions(items, { share: 0.25 });
    const b = await wrapInstructions(items, { share: 0.25 });
    expect(b.items).toEqual(a.items);
    expect((await wrapInstructions(items, { share: 0 })).items).toHaveLength(0);
    const long = await wrapInstructions(items, { share: 1, maxRequestChars: 10 });
    expect(long.items).toHaveLength(0);
    expect(long.report.skipped['request over 10 chars']).toBe(400);
  });
});
