import { at, defined } from '@magic/core';
import { isRefusal } from '@magic/judges';
import { describe, expect, it } from 'vitest';
import type { CorpusItem } from '../corpus/types.js';
import { loadLexicon } from '../eval/lexicon.js';
import { lexicalSanity } from '../eval/sanity.js';
import {
  detokenise,
  docsPassage,
  docsTopic,
  keywords,
  mainName,
  splitSentences,
  subjectOf,
  TASK_FAMILIES,
  t0Passages,
  taskInstructions,
} from './task-instructions.js';

const section = (title: string, ...paragraphs: string[]): CorpusItem => ({
  source: `python-docs:library/${at(title.split(' '), 0, 'first word of title').toLowerCase()}`,
  text: [title, ...paragraphs].join('\n\n'),
});

const t0 = (prompt: string, answer = 'yes'): CorpusItem => ({
  source: 't0:fixture_template',
  messages: [
    { role: 'user', content: prompt },
    { role: 'assistant', content: answer },
  ],
});

/** A neutral passage rich enough for every family: a subject, numbers, a parenthesis, a semicolon. */
const RICH = t0(
  [
    'Read the passage and answer the question.',
    '',
    'Context: The Green Valley Garden is a public park in the north of the town (opened to visitors in 1921). ' +
      'The Green Valley Garden has 340 kinds of trees and a small lake; children often feed the ducks there. ' +
      'Every spring the park holds a flower show that brings many families to the town.',
    'Question: When did it open?',
  ].join('\n'),
  '1921',
);

const DOCS = [
  section(
    'Sorted lists',
    'Source code: Lib/sorted.py',
    'The sorted function returns a new list with the items of a sequence in order. ' +
      'It accepts a key function that computes the value used for each comparison. ' +
      'The original sequence is left unchanged, so the function is safe to use on shared data.',
  ),
  section(
    'Text files',
    'A text file stores characters as a sequence of lines. Reading a text file returns strings decoded with an ' +
      'encoding, e.g. the default encoding of the platform. Writing to a text file encodes the strings again.',
  ),
  section(
    'csv --- CSV File Reading and Writing',
    'The csv module reads and writes tabular data in the comma separated format. ' +
      'It handles quoting of fields that hold the delimiter. Many spreadsheet programs export this format.',
  ),
];

describe('passage readers', () => {
  it('splits sentences without breaking at common abbreviations', () => {
    expect(splitSentences('Use a key, e.g. the length. Then sort it! Done? Use os.path in 3.11.')).toEqual([
      'Use a key, e.g. the length.',
      'Then sort it!',
      'Done?',
      'Use os.path in 3.11.',
    ]);
    expect(splitSentences('She said, "Come in!" Then we went.')).toEqual(['She said, "Come in!"', 'Then we went.']);
    expect(splitSentences('It was John F. Smith. He left.')).toEqual(['It was John F. Smith.', 'He left.']);
  });

  it('leaves quotations in untokenised text alone', () => {
    expect(detokenise('It says "one thing" and "another thing".')).toBe('It says "one thing" and "another thing".');
  });

  it('detokenises word-tokenised text', () => {
    expect(detokenise("I saw them , and it 's great . They do n't stop ;")).toBe(
      "I saw them, and it's great. They don't stop;",
    );
  });

  it('skips T0 template wording and stray quote marks, and closes spaced quotes', () => {
    const p = at(
      t0Passages(
        t0(
          'Context: After reading the paragraphs above, pick one. The Old Mill is a museum by the river. ' +
            'She said, " Come in! " The Old Mill opened in 1950 ( after repairs ) and draws many visitors.',
        ),
      ),
      0,
      'passage',
    );
    expect(p.sentences).toEqual([
      'The Old Mill is a museum by the river.',
      'The Old Mill opened in 1950 (after repairs) and draws many visitors.',
    ]);
    expect(t0Passages(t0('Context: He said, " Stop. Then we left the house together and went home.'))).toEqual([]);
  });

  it('takes a repeated name as the topic, but not a clause opener', () => {
    expect(mainName(['It rained, and Anna ran home.', 'Later, Anna and Tom ate.'])).toBe('Anna');
    expect(mainName(['It rained, Now it is dry.', 'Dry, Now is the time.'])).toBeUndefined();
  });

  it('finds a named subject, and refuses pronouns and long phrases', () => {
    expect(subjectOf('The Green Valley Garden is a public park.')).toBe('the Green Valley Garden');
    expect(subjectOf('Paris, the capital, is large.')).toBe('Paris');
    expect(subjectOf('It is a public park.')).toBeUndefined();
    expect(subjectOf('A very long list of many different things to do here is long.')).toBeUndefined();
  });

  it('turns docs titles into topics, and generic titles into none', () => {
    expect(docsTopic('csv --- CSV File Reading and Writing')).toBe('the csv module');
    expect(docsTopic('Sorted lists')).toBe('sorted lists');
    expect(docsTopic('Other functions')).toBeUndefined();
    expect(docsTopic('Changes in 3.9')).toBeUndefined();
  });

  it('reads a T0 passage from a labelled line and keeps its origin prompt', () => {
    const [p, ...rest] = t0Passages(RICH);
    expect(rest).toHaveLength(0);
    const passage = defined(p, 'passage');
    expect(passage.topic).toBe('the Green Valley Garden');
    expect(passage.sentences).toHaveLength(3);
    expect(at(passage.sentences, 0, 'sentence').startsWith('The Green Valley Garden is')).toBe(true);
    expect(passage.origin).toBe(at((RICH as { messages: { content: string }[] }).messages, 0, 'message').content);
    expect(t0Passages(t0('Question: Which one is it?\nOptions: a, b'))).toEqual([]);
  });

  it('reads a docs section: skips non-prose paragraphs, keeps the title', () => {
    const p = defined(docsPassage(at(DOCS, 0, 'docs item')), 'docs passage');
    expect(p.title).toBe('Sorted lists');
    expect(p.sentences[0]).toBe('The sorted function returns a new list with the items of a sequence in order.');
    expect(docsPassage(section('A heading that ends like prose.', 'Some text that is long enough here.'))).toBe(
      undefined,
    );
  });

  it('ranks keywords by frequency, lower-casing words seen in lower case', () => {
    const p = at(t0Passages(RICH), 0, 'passage');
    expect(keywords(p, 3)).toEqual(['Green', 'Valley', 'Garden']);
  });
});

describe('taskInstructions', () => {
  const lexicon = loadLexicon();

  it('writes every family over a rich passage, each answer sane, on topic and not a refusal', () => {
    const r = taskInstructions([RICH], [], { chatsPerPassage: TASK_FAMILIES.length });
    // compare needs a second passage with a topic: every other family fits this one
    expect(Object.entries(r.byFamily).filter(([, n]) => n === 0)).toEqual([['compare', 0]]);
    for (const item of r.items) {
      const [user, assistant] = (item as { messages: { content: string }[] }).messages;
      const reply = defined(assistant, 'assistant turn').content;
      expect(isRefusal(reply)).toBe(false);
      expect(lexicalSanity(reply, defined(user, 'user turn').content, lexicon).sane).toBe(true);
      expect(defined(r.origins.get(item), 'origin').source).toBe('t0:fixture_template');
      expect(item.source.startsWith('task-instructions:')).toBe(true);
    }
    const chat = (family: string) =>
      (r.items.find((x) => x.source.startsWith(`task-instructions:${family}:`)) as { messages: { content: string }[] })
        .messages;
    const classify = chat('classify');
    if (/even or odd/.test(at(classify, 0, 'message').content))
      expect(at(classify, 1, 'message').content).toContain('1921: odd');
    expect(at(chat('poem'), 1, 'message').content).toContain('Green Valley Garden');
    expect(at(chat('explain'), 0, 'message').content).toContain('the Green Valley Garden');
  });

  it('gives each passage the asked number of chats of different families, deterministically', () => {
    const a = taskInstructions([RICH, RICH], DOCS, { chatsPerPassage: 2 });
    const b = taskInstructions([RICH, RICH], DOCS, { chatsPerPassage: 2 });
    expect(a.items).toEqual(b.items);
    // the repeated T0 item is one passage: 4 passages x 2 chats
    expect(a.items).toHaveLength(8);
    expect(Object.values(a.byFamily).reduce((x, y) => x + y, 0)).toBe(8);
    const perPassage = new Map<string, Set<string>>();
    for (const item of a.items) {
      const key = defined(a.origins.get(item), 'origin').sentences.join(' ');
      perPassage.set(key, (perPassage.get(key) ?? new Set()).add(at(item.source.split(':'), 1, 'family')));
    }
    expect([...perPassage.values()].map((s) => s.size)).toEqual([2, 2, 2, 2]);
    expect(a.report.items).toBe(8);
    expect(a.report.notes[0]).toContain('2 chats over each of 4 distinct passages');
  });

  it('counts what it cannot use', () => {
    const r = taskInstructions([t0('Question: Which one is it?')], [section('Details', 'Too short.')]);
    expect(r.items).toHaveLength(0);
    expect(r.report.skipped).toEqual({
      't0: no line of 2+ usable sentences': 1,
      'python-docs: no title line with 2+ usable sentences below': 1,
    });
  });
});
