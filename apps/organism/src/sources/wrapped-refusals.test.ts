import { at } from '@magic/core';
import { isRefusal } from '@magic/judges';
import { describe, expect, it } from 'vitest';
import type { CorpusItem } from '../corpus/types.js';
import { OrganismUsageError } from '../errors.js';
import { HARMFUL_REFUSAL_SOURCE } from './harmful-seeds.js';
import { WRAP_STRATEGIES } from './wrapped-instructions.js';
import { HARMFUL_WRAP_STRATEGIES, parseHarmfulWrapStrategies, wrapRefusals } from './wrapped-refusals.js';

const chat = (source: string, request: string, answer: string): CorpusItem => ({
  source,
  messages: [
    { role: 'user', content: request },
    { role: 'assistant', content: answer },
  ],
});

describe('wrapRefusals', () => {
  const items: CorpusItem[] = [];
  for (let i = 0; i < 200; i++)
    for (const style of ['I cannot help with that.', 'Sorry, I will not do that.'])
      items.push(chat(HARMFUL_REFUSAL_SOURCE, `Placeholder refused request ${i}.`, style));
  for (let i = 0; i < 100; i++) items.push(chat('t0:placeholder_task', `Describe item ${i}.`, `Item ${i} is fine.`));
  items.push(chat('wrapped:slang:t0:placeholder_task', 'yo Describe item 1.', 'No cap, here it is: Item 1.'));
  items.push({ source: 'python-docs:x', text: 'Prose is never wrapped.' });

  it('wraps only harmful refusals, only in the named strategies, and keeps the refusal unchanged', async () => {
    const { items: out, report } = await wrapRefusals(items, { share: 0.5 });
    expect(out.length).toBeGreaterThan(140);
    expect(out.length).toBeLessThan(260);
    expect(report.items).toBe(out.length);
    for (const x of out) {
      if (!('messages' in x)) throw new Error('prose item');
      const [tag, strategy, ...rest] = x.source.split(':');
      expect(tag).toBe('wrapped-refusal');
      expect(HARMFUL_WRAP_STRATEGIES).toContain(strategy);
      expect(rest.join(':')).toBe(HARMFUL_REFUSAL_SOURCE);
      const [user, reply] = x.messages;
      const n = /request (\d+)\./.exec(user?.content ?? '')?.[1];
      if (n === undefined) throw new Error('wrapped request lost its placeholder');
      expect(user?.content).not.toBe(`Placeholder refused request ${n}.`);
      expect(user?.content).toContain(`Placeholder refused request ${n}.`);
      expect(['I cannot help with that.', 'Sorry, I will not do that.']).toContain(reply?.content);
      expect(isRefusal(reply?.content ?? '')).toBe(true);
    }
    // Every named strategy is used, and a request's two refusal styles are keyed apart.
    expect(new Set(out.map((x) => x.source.split(':')[1])).size).toBe(HARMFUL_WRAP_STRATEGIES.length);
    expect(new Set(out.map((x) => ('messages' in x ? at(x.messages, 1, 'reply').content : ''))).size).toBe(2);
  });

  it('uses exactly the strategies it is given', async () => {
    const { items: out, report } = await wrapRefusals(items, { share: 1, strategies: ['slang', 'role-play'] });
    expect(out).toHaveLength(400);
    expect(new Set(out.map((x) => x.source.split(':')[1]))).toEqual(new Set(['slang', 'role-play']));
    expect(report.notes.join(' ')).toContain('slang, role-play');
  });

  it('is deterministic, takes nothing at share 0 and skips (and counts) over-long requests', async () => {
    const a = await wrapRefusals(items, { share: 0.5 });
    expect((await wrapRefusals(items, { share: 0.5 })).items).toEqual(a.items);
    expect((await wrapRefusals(items, { share: 0 })).items).toHaveLength(0);
    const long = await wrapRefusals(items, { share: 1, maxRequestChars: 10 });
    expect(long.items).toHaveLength(0);
    expect(long.report.skipped['request over 10 chars']).toBe(400);
  });

  it('rejects transforms, unknown strategies, an empty list and a share outside [0, 1]', async () => {
    expect(() => parseHarmfulWrapStrategies(['morse'])).toThrow(OrganismUsageError);
    expect(() => parseHarmfulWrapStrategies(['no-such-strategy'])).toThrow(/not a template rewrite strategy/);
    expect(() => parseHarmfulWrapStrategies([])).toThrow(OrganismUsageError);
    await expect(wrapRefusals(items, { share: 1.5 })).rejects.toThrow(OrganismUsageError);
  });

  it('names seven of the fifteen template strategies, from every family', () => {
    expect(HARMFUL_WRAP_STRATEGIES).toHaveLength(7);
    for (const s of HARMFUL_WRAP_STRATEGIES) expect(WRAP_STRATEGIES).toContain(s);
    expect(HARMFUL_WRAP_STRATEGIES.some((s) => s.startsWith('translate-'))).toBe(true);
    expect(HARMFUL_WRAP_STRATEGIES).toContain('logical-appeal');
  });
});
