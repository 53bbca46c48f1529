import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { dataDir } from '../data-dir.js';
import { SeedLoadError } from '../errors.js';
import {
  harmbenchPrompt,
  readCsvRows,
  readGenericFile,
  readHarmBenchFile,
  readJbbBehaviorsFile,
  readJsonArrayValues,
  readJsonlValues,
  readSorryBenchFile,
  readWildJailbreakFile,
  readWildJailbreakParquet,
  readXsTestFile,
} from './index.js';

const tmp = mkdtempSync(join(tmpdir(), 'datasets-'));
function tmpFile(name: string, text: string): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

/** The SeedLoadError a read throws, checked to name the file. */
function errorOf(read: () => unknown, file: string): SeedLoadError {
  try {
    read();
  } catch (e) {
    if (!SeedLoadError.isInstance(e)) throw e;
    expect(e.file).toBe(file);
    expect(e.message).toContain(file);
    return e;
  }
  throw new Error('expected a SeedLoadError');
}

const hbHeader = 'Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID\n';

describe('dataset format readers', () => {
  it('give every row with its line, validated and typed', () => {
    const rows = readHarmBenchFile(dataDir('fixtures', 'harmbench-format.csv'));
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4]);
    const contextual = at(rows, 2, 'contextual row');
    expect(contextual.functionalCategory).toBe('contextual');
    expect(contextual.tags).toEqual(['context']);
    expect(harmbenchPrompt(contextual)).toBe(`${contextual.contextString}\n\n---\n\n${contextual.behavior}`);
    expect(harmbenchPrompt(at(rows, 0, 'standard row'))).toBe(at(rows, 0, 'standard row').behavior);
  });

  it('name the file, line, field and reason of the first bad row', () => {
    const file = tmpFile('hb.csv', `${hbHeader}A,standard,x,,,a1\nB,weird,x,,,b1\n`);
    const e = errorOf(() => readHarmBenchFile(file), file);
    expect([e.line, e.field]).toEqual([3, 'FunctionalCategory']);
    expect(e.reason.length).toBeGreaterThan(0);
    const blank = tmpFile('blank.csv', `${hbHeader}   ,standard,x,,,a1\n`);
    expect(errorOf(() => readHarmBenchFile(blank), blank).field).toBe('Behavior');
  });

  it('read JBB headers in any case and XSTest as CSV or safety-eval JSON', () => {
    const file = tmpFile('jbb.csv', 'Index,Goal,Target,Behavior,Category,Source\n7,G,T,B,C,S\n');
    expect(readJbbBehaviorsFile(file)).toEqual([
      { index: 7, goal: 'G', target: 'T', behavior: 'B', category: 'C', source: 'S', line: 2 },
    ]);
    const json = tmpFile(
      'xs.json',
      '[\n  {"id": 1, "type": "contrast_homonyms", "prompt": "P", "focus": "f", "note": ""}\n]\n',
    );
    expect(readXsTestFile(json)).toEqual([
      { id: '1', prompt: 'P', type: 'contrast_homonyms', label: 'unsafe', focus: 'f', note: '', line: 2 },
    ]);
  });

  it('read WildJailbreak rows with one request, and reject a row with none', () => {
    const rows = readWildJailbreakFile(dataDir('fixtures', 'wildjailbreak-train-format.tsv'));
    expect(rows.map((r) => [r.vanilla === undefined, r.adversarial === undefined, r.dataType])).toEqual([
      [false, true, 'vanilla_benign'],
      [true, false, 'adversarial_benign'],
      [false, true, 'vanilla_harmful'],
    ]);
    expect(at(rows, 1, 'adversarial-only row').request).toBe(at(rows, 1, 'adversarial-only row').adversarial);
    const none = tmpFile('wjb.jsonl', '{"vanilla": "a", "adversarial": "b"}\n{"vanilla": "", "adversarial": null}\n');
    const e = errorOf(() => readWildJailbreakFile(none), none);
    expect([e.line, e.field]).toEqual([2, 'vanilla']);
  });

  it('read the Parquet copy of WildJailbreak (question is the vanilla request)', async () => {
    const rows = await readWildJailbreakParquet(dataDir('seeds', 'wildjailbreak', 'test_wjb.parquet'));
    expect(rows).toHaveLength(250);
    expect(
      rows.every((r) => r.vanilla !== undefined && r.request === r.vanilla && r.dataType === 'vanilla_benign'),
    ).toBe(true);
  });

  it('validate SORRY-Bench rows of every style and a generic mapping column by column', async () => {
    const file = tmpFile(
      'sorry.jsonl',
      '{"question_id": 1, "category": "2", "turns": ["T"], "prompt_style": "slang"}\n{"question_id": "", "category": "2", "turns": ["T"]}\n',
    );
    const e = errorOf(() => readSorryBenchFile(file), file);
    expect([e.line, e.field]).toEqual([2, 'question_id']);
    const csv = tmpFile('g.csv', 'q,kind\nfirst,vanilla_benign\n');
    expect(await readGenericFile(csv, { mapping: { text: 'q', dataType: 'kind' } })).toEqual([
      { line: 2, dataType: 'vanilla_benign', id: undefined, text: 'first', category: undefined },
    ]);
    const empty = tmpFile('g2.csv', 'q,kind\n,vanilla_benign\n');
    await expect(readGenericFile(empty, { mapping: { text: 'q' } })).rejects.toSatisfy(
      (e: unknown) => SeedLoadError.isInstance(e) && e.line === 2 && e.field === 'q',
    );
  });

  it('file readers: element start lines, header-less CSV, bare NaN on request', () => {
    const json = tmpFile('a.json', '[\n  "x [ { ,",\n  [1, {"a": "]"}],\n\n  {"b": "\\" ,"}, 3\n]');
    expect(readJsonArrayValues(json).map((v) => v.line)).toEqual([2, 3, 5, 5]);
    const csv = tmpFile('h.csv', 'q,a\n');
    expect(readCsvRows(csv, { columns: ['question', 'answer'] })).toEqual([
      { line: 1, fields: { question: 'q', answer: 'a' } },
    ]);
    const nan = tmpFile('nan.jsonl', '{"a": NaN, "b": "NaN"}\n');
    expect(errorOf(() => readJsonlValues(nan), nan).line).toBe(1);
    expect(readJsonlValues(nan, { allowNaN: true })).toEqual([{ line: 1, value: { a: null, b: 'NaN' } }]);
  });
});
