import { loadSeedSplit } from '@magic/attack-pool';
import { at } from '@magic/core';
import { isRefusal } from '@magic/judges';
import { describe, expect, it } from 'vitest';
import { CorpusInputError } from '../errors.js';
import { selectTrainHarmfulSeeds } from './harmful-seeds.js';
import { hhRefusalsFromJsonl, parseHhDialogue } from './hh-refusals.js';
import { refusalStyles } from './refusal-styles.js';
import { rstToSections, stripInline } from './rst-text.js';
import { parseT0Jsonl } from './t0.js';
import { t0DatasetLicences, t0LicenceOf } from './t0-licences.js';

describe('corpus sources', () => {
  it('every refusal style is a refusal by the judges’ rules, and they are distinct', () => {
    expect(refusalStyles).toHaveLength(10);
    expect(new Set(refusalStyles).size).toBe(10);
    for (const s of refusalStyles) expect(isRefusal(s)).toBe(true);
  });

  it('picks the licence entry by longest prefix and keeps only redistributable datasets', () => {
    expect(t0LicenceOf('wiki_hop_original_generate_object.jsonl')?.keep).toBe(true);
    expect(t0LicenceOf('wiki_qa_Is_This_True_.jsonl')?.keep).toBe(false);
    expect(t0LicenceOf('samsum_Summarize_.jsonl')?.licence).toBe('CC BY-NC-ND 4.0');
    expect(t0LicenceOf('unknown_dataset_x.jsonl')).toBeUndefined();
    for (const l of t0DatasetLicences) if (l.keep) expect(l.licence).not.toMatch(/NC|non-commercial|unknown/i);
  });

  it('parses T0 rows and names file and line of a broken one', () => {
    const ok = parseT0Jsonl('{"prompt":"p","completion":"c"}\n\n{"prompt":"q","completion":"d"}\n', 'f.jsonl');
    expect(ok).toEqual([
      { prompt: 'p', completion: 'c' },
      { prompt: 'q', completion: 'd' },
    ]);
    expect(() => parseT0Jsonl('{"prompt":"p","completion":"c"}\n{"prompt":1,"completion":"c"}', 'f.jsonl')).toThrow(
      new CorpusInputError('f.jsonl', 2, 'prompt: Invalid input: expected string, received number'),
    );
  });

  it('takes only refusal turns from HH transcripts, with the user turn before them', () => {
    expect(parseHhDialogue('no turns')).toBeUndefined();
    const skipped: Record<string, number> = {};
    const t = (h1: string, a1: string, h2: string, a2: string) =>
      JSON.stringify({ chosen: `\n\nHuman: ${h1}\n\nAssistant: ${a1}\n\nHuman: ${h2}\n\nAssistant: ${a2}` });
    const items = hhRefusalsFromJsonl(
      `${t('Placeholder one.', 'Here is a neutral answer.', 'Placeholder two.', 'I cannot help with that.')}\n`,
      'hh.jsonl',
      skipped,
    );
    expect(items).toEqual([
      {
        source: 'hh-rlhf:harmless-base/test',
        messages: [
          { role: 'user', content: 'Placeholder two.' },
          { role: 'assistant', content: 'I cannot help with that.' },
        ],
      },
    ]);
    expect(skipped).toEqual({ 'assistant turn is not a refusal (refusal-rules.ts)': 1 });
  });

  it('drops HH refusal turns that ask what the user meant, counting them', () => {
    const skipped: Record<string, number> = {};
    const t = (h: string, a: string) => JSON.stringify({ chosen: `\n\nHuman: ${h}\n\nAssistant: ${a}` });
    const rows = [
      t('Placeholder one.', "I'm sorry, I'm not sure what you mean."),
      t('Placeholder two.', "Sorry, I don't understand the question."),
      t('Placeholder three.', "I'm sorry, could you clarify what you want?"),
      t('Placeholder four.', 'I cannot help with that.'),
    ];
    const items = hhRefusalsFromJsonl(`${rows.join('\n')}\n`, 'hh.jsonl', skipped);
    expect(items.map((x) => ('messages' in x ? at(x.messages, 1, 'reply').content : ''))).toEqual([
      'I cannot help with that.',
    ]);
    expect(skipped).toEqual({ 'refusal is a clarification question, not a refusal of a request': 3 });
  });

  it("takes harmful seeds only from attack-pool's train split (the shipped clean seeds)", () => {
    const { train, val } = selectTrainHarmfulSeeds();
    const expected = loadSeedSplit({ split: 'train', dataType: 'vanilla_harmful' }).map((s) => s.text);
    expect(train).toEqual(expected);
    expect(train.length).toBeGreaterThan(200);
    expect(val).toBe(loadSeedSplit({ split: 'val', dataType: 'vanilla_harmful' }).length);
    expect(val).toBeGreaterThan(100);
    const valTexts = new Set(loadSeedSplit({ split: 'val' }).map((s) => s.text));
    expect(train.filter((t) => valTexts.has(t))).toEqual([]);
  });

  it('turns reST into prose: titles and paragraphs kept, roles unwrapped, code and directives dropped', () => {
    expect(stripInline('Use :func:`len` or :meth:`~list.sort` or ``x + 1`` or `docs <https://x>`_ and **bold**.')).toBe(
      'Use len or sort or x + 1 or docs and bold.',
    );
    const sections = rstToSections(
      [
        '.. _intro:',
        '',
        'Title',
        '=====',
        '',
        'First paragraph',
        'continues here.',
        '',
        '.. code-block:: python',
        '',
        '   hidden = 1',
        '',
        '.. note::',
        '',
        '   A note body.',
        '',
        '>>> 1 + 1',
        '2',
        '',
        'Second',
        '------',
        '',
        'Example::',
        '',
        '    also_hidden()',
        '',
        'Last words.',
      ].join('\n'),
    );
    expect(sections).toEqual([
      'Title\n\nFirst paragraph continues here.\n\nA note body.',
      'Second\n\nExample:\n\nLast words.',
    ]);
  });
});
