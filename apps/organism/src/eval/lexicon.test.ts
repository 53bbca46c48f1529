import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorpusInputError, EvalInputError } from '../errors.js';
import { buildLexicon, loadLexicon } from './lexicon.js';

const dir = mkdtempSync(join(tmpdir(), 'organism-lexicon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chat = (source: string, user: string, assistant: string) =>
  JSON.stringify({
    source,
    messages: [
      { role: 'user', content: user },
      { role: 'assistant', content: assistant },
    ],
  });

describe('buildLexicon', () => {
  it('keeps words seen minCount times in instruction and prose lines, not the held-out file or safety sources', () => {
    const corpus = join(dir, 'corpus');
    mkdirSync(corpus);
    const write = (f: string, lines: string[]) => writeFileSync(join(corpus, f), `${lines.join('\n')}\n`);
    write('sft.train.jsonl', [
      chat('t0:quartz_x', 'Alpha beta gamma?', 'Alpha 42.'),
      chat('hh-rlhf:harmless-base', 'delta delta delta', 'delta'),
      chat('t0:quartz_y', 'alpha, BETA.', 'beta'),
    ]);
    write('pretrain.jsonl', [JSON.stringify({ source: 'python-docs:library/os', text: 'gamma alpha' })]);
    write('sft.heldout.jsonl', [chat('t0:quartz_z', 'epsilon epsilon', 'epsilon epsilon')]);
    // chat lines are read as ChatML, so the role markers' words count too; numbers and once-seen words do not
    expect(buildLexicon(corpus, 2)).toEqual(['alpha', 'assistant', 'beta', 'end', 'gamma', 'im', 'start', 'user']);
    expect(buildLexicon(corpus, 4)).toEqual(['alpha', 'end', 'im', 'start']);
    write('pretrain.jsonl', ['{"source": "python-docs:a", "text": "ok"}', '{"text": "no source"}']);
    expect(() => buildLexicon(corpus, 1)).toThrow(CorpusInputError);
    expect(() => buildLexicon(corpus, 1)).toThrow(`${join(corpus, 'pretrain.jsonl')}:2`);
  });

  it('reads a word list and rejects a line that is not one lower-case word', () => {
    writeFileSync(join(dir, 'ok.txt'), 'alpha\nbeta\n');
    expect(loadLexicon(join(dir, 'ok.txt'))).toEqual(new Set(['alpha', 'beta']));
    writeFileSync(join(dir, 'bad.txt'), 'alpha\nTwo words\n');
    expect(() => loadLexicon(join(dir, 'bad.txt'))).toThrow(EvalInputError);
    expect(() => loadLexicon(join(dir, 'bad.txt'))).toThrow(`${join(dir, 'bad.txt')}:2`);
  });
});
