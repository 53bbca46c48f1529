import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { BenchmarkError, BenchmarkFileError, BenchmarkNotAvailableError, UnknownBenchmarkError } from '../errors.js';
import { type BenchmarkName, benchmarkNames, loadBenchmark, shippedBenchmarks } from './load-benchmark.js';

const fixtures = join(import.meta.dirname, '..', '__fixtures__');
const tmp = mkdtempSync(join(tmpdir(), 'bench-loaders-'));
function tmpFile(name: string, text: string): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

async function expectFileError(promise: Promise<unknown>, file: string, line: number, field?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(BenchmarkFileError.isInstance(error)).toBe(true);
  const e = error as BenchmarkFileError;
  expect(e.code).toBe('BENCHMARK_FILE_INVALID');
  expect(e.file).toBe(file);
  expect(e.line).toBe(line);
  if (field !== undefined) expect(e.field).toBe(field);
  expect(e.message).toContain(`${file}:${line}`);
}

describe('shipped data (real files)', () => {
  it('loads every shipped benchmark with its documented size', async () => {
    const sizes: Partial<Record<BenchmarkName, number>> = {
      harmbench: 320,
      harmbenchPrecomputed: 1500,
      wildjailbreak: 2000,
      dan: 300,
      xstest: 450,
      jbb: 100,
      mmlu: 2850,
      arc: 1172,
      gsm8k: 1319,
      truthfulqa: 790,
      ifeval: 541,
      mtBench: 80,
    };
    for (const name of shippedBenchmarks) expect((await loadBenchmark(name)).length, name).toBe(sizes[name]);
  });

  it('harmbench: functional categories 159/81/80 and context placed before the behaviour', async () => {
    const rows = await loadBenchmark('harmbench');
    const count = (c: string) => rows.filter((r) => r.functionalCategory === c).length;
    expect([count('standard'), count('contextual'), count('copyright')]).toEqual([159, 81, 80]);
    const contextual = defined(
      rows.find((r) => r.functionalCategory === 'contextual'),
      'contextual',
    );
    expect(contextual.prompt.startsWith(contextual.contextString)).toBe(true);
    expect(contextual.prompt.endsWith(contextual.behavior)).toBe(true);
    expect((await loadBenchmark('harmbench', { split: 'val' })).length).toBe(80);
  });

  it('harmbenchPrecomputed: 15 methods x 100', async () => {
    const rows = await loadBenchmark('harmbenchPrecomputed');
    const methods = new Map<string, number>();
    for (const r of rows) methods.set(r.method, (methods.get(r.method) ?? 0) + 1);
    expect(methods.size).toBe(15);
    expect([...methods.values()].every((n) => n === 100)).toBe(true);
  });

  it('wildjailbreak benign split, DAN NaN handling, XSTest labels, JBB benign, MMLU dev, GSM8K targets', async () => {
    expect((await loadBenchmark('wildjailbreak', { split: 'benign' })).length).toBe(250);
    const dan = await loadBenchmark('dan');
    expect(dan.some((r) => r.community_name === null)).toBe(true);
    const xs = await loadBenchmark('xstest');
    expect(xs.filter((r) => r.label === 'safe').length).toBe(250);
    expect(xs.filter((r) => r.label === 'unsafe').length).toBe(200);
    expect((await loadBenchmark('jbb', { split: 'benign' })).length).toBe(100);
    const dev = await loadBenchmark('mmlu', { split: 'dev' });
    expect(dev.length).toBe(285);
    expect(new Set(dev.map((r) => r.subject)).size).toBe(57);
    const gsm = await loadBenchmark('gsm8k');
    expect(gsm.every((r) => /^-?\d+(\.\d+)?$/.test(r.target))).toBe(true);
    const ifeval = await loadBenchmark('ifeval');
    expect(ifeval.every((r) => r.kwargs.length === r.instructionIdList.length)).toBe(true);
  });

  it('reads the WildJailbreak TSV layout', async () => {
    const rows = await loadBenchmark('wildjailbreak', { path: join(fixtures, 'wildjailbreak.tsv') });
    expect(rows).toEqual([
      { vanilla: 'How do I bake bread?', adversarial: 'As a baker in a novel, explain how to bake bread.' },
    ]);
  });
});

describe('fixtures of unshipped benchmarks', () => {
  it('wildguardtest: labels, empty labels as null, adversarial boolean, quoted commas', async () => {
    const rows = await loadBenchmark('wildguardtest', { path: join(fixtures, 'wildguardtest.csv') });
    expect(rows.length).toBe(5);
    expect(rows[0]).toMatchObject({
      prompt: 'How do I bake bread, step by step?',
      adversarial: false,
      promptHarmLabel: 'unharmful',
      responseRefusalLabel: 'compliance',
    });
    expect(rows[3]).toMatchObject({
      adversarial: true,
      responseHarmLabel: null,
      responseRefusalAgreement: null,
      response: "Sorry, I won't do that.",
    });
    expect(at(rows, 1, 'rows').responseRefusalAgreement).toBeCloseTo(2 / 3);
  });

  it('orBench, strongreject, simpleSafetyTests, openaiModeration, alpacaEval, cosafe', async () => {
    expect(
      (await loadBenchmark('orBench', { path: join(fixtures, 'or-bench-hard.csv') })).map((r) => r.category),
    ).toEqual(['harmful', 'harmful', 'privacy']);
    expect((await loadBenchmark('strongreject', { path: join(fixtures, 'strongreject.csv') }))[1]).toMatchObject({
      category: 'Violence',
      prompt: '[forbidden prompt placeholder 2]',
    });
    expect(
      (await loadBenchmark('simpleSafetyTests', { path: join(fixtures, 'simple-safety-tests.csv') }))[0],
    ).toMatchObject({ id: 'sst_001', counter: 1 });
    const moderation = await loadBenchmark('openaiModeration', { path: join(fixtures, 'openai-moderation.jsonl') });
    expect(moderation.map((r) => r.harmful)).toEqual([false, true, true, false]);
    expect(Object.keys(at(moderation, 2, 'moderation').labels)).toEqual(['H', 'HR']);
    expect((await loadBenchmark('alpacaEval', { path: join(fixtures, 'alpaca-eval.json') })).length).toBe(2);
    const cosafe = await loadBenchmark('cosafe', { path: join(fixtures, 'cosafe') });
    expect(cosafe.map((d) => d.id)).toEqual(['cooking/0', 'cooking/1', 'gardening/0']);
  });

  it('an unshipped benchmark without path is a typed error naming it and how to get it', async () => {
    for (const name of benchmarkNames.filter((n) => !shippedBenchmarks.includes(n))) {
      const error = await loadBenchmark(name).catch((e: unknown) => e);
      expect(BenchmarkNotAvailableError.isInstance(error), name).toBe(true);
      expect((error as BenchmarkNotAvailableError).benchmark).toBe(name);
      expect((error as BenchmarkNotAvailableError).howToGet.length).toBeGreaterThan(10);
    }
  });

  it('an unknown name is a typed error', async () => {
    const error = await loadBenchmark('nope' as BenchmarkName).catch((e: unknown) => e);
    expect(UnknownBenchmarkError.isInstance(error)).toBe(true);
    expect(BenchmarkError.isInstance(error)).toBe(true);
    expect(BenchmarkError.isInstance(new Error('x'))).toBe(false);
  });
});

describe('malformed files name file and line', () => {
  const hbHeader = 'Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID\n';
  const cases: { name: BenchmarkName; file: string; text: string; line: number; field?: string; split?: string }[] = [
    {
      name: 'harmbench',
      file: 'hb.csv',
      text: `${hbHeader}Do X,standard,illegal,,,x1\nDo Y,weird,illegal,,,y1\n`,
      line: 3,
      field: 'FunctionalCategory',
    },
    {
      name: 'harmbenchPrecomputed',
      file: 'pre.json',
      // a JSON array error names the line where the element starts
      text: '[{"BehaviorID":"a","test_case":"t","model":"m","method":"GCG"},\n{"BehaviorID":"b","model":"m","method":"GCG"}]',
      line: 2,
      field: 'test_case',
    },
    {
      name: 'wildguardtest',
      file: 'wgt.csv',
      text: 'prompt,response,adversarial,prompt_harm_label,response_refusal_agreement,response_refusal_label,response_harm_label,subcategory,prompt_harm_agreement,response_harm_agreement\np,r,Maybe,harmful,1,refusal,harmful,x,1,1\n',
      line: 2,
      field: 'adversarial',
    },
    { name: 'wildjailbreak', file: 'wjb.jsonl', text: '{"vanilla":"a","adversarial":"b"}\n{"vanilla":"a"\n', line: 2 },
    {
      name: 'dan',
      file: 'dan.jsonl',
      text: '{"platform":"p","source":"s","prompt":"x","jailbreak":"yes","created_at":null,"date":null,"community_id":NaN,"community_name":NaN,"vanilla":"v","adversarial":"a"}\n',
      line: 1,
      field: 'jailbreak',
    },
    {
      name: 'xstest',
      file: 'xs.csv',
      text: 'id,prompt,type,label,focus,note\n1,How do I kill a process?,homonyms,maybe,kill,\n',
      line: 2,
      field: 'label',
    },
    {
      name: 'jbb',
      file: 'jbb.csv',
      text: 'index,goal,target,behavior,category,source\n1,Goal,Target,Behav,Cat,Src\nx,Goal,Target,Behav,Cat,Src\n',
      line: 3,
      field: 'index',
    },
    {
      name: 'orBench',
      file: 'or.csv',
      text: 'prompt,category\nHow do I bake bread?,benign\n,benign\n',
      line: 3,
      field: 'prompt',
    },
    { name: 'strongreject', file: 'sr.csv', text: 'category,source,forbidden_prompt\nc,s\n', line: 2 },
    {
      name: 'simpleSafetyTests',
      file: 'sst.csv',
      text: 'id,harm_area,counter,category,prompts_final\nsst_1,a,one,c,p\n',
      line: 2,
      field: 'counter',
    },
    {
      name: 'guardLabels',
      file: 'labels.jsonl',
      text: '{"prompt":"hi","promptHarm":1}\n{"prompt":"hi","refusal":1}\n',
      line: 2,
      field: 'response',
    },
    {
      name: 'guardLabels',
      file: 'labels2.jsonl',
      text: '{"prompt":"hi","promptHarm":0}\n{"prompt":"hi","prompt_harm":1}\n',
      line: 2,
    },
    {
      name: 'openaiModeration',
      file: 'mod.jsonl',
      text: '{"prompt":"hi","S":0}\n\n{"prompt":"hi","S":2}\n',
      line: 3,
      field: 'S',
    },
    { name: 'mmlu', file: 'mmlu_test.csv', text: 'Q?,a,b,c,d,A\nQ2?,a,b,c,d,E\n', line: 2, field: 'answer' },
    {
      name: 'arc',
      file: 'arc.jsonl',
      text: '{"id":"x","question":"q","options":[{"label":"A","text":"a"},{"label":"B","text":"b"}],"answer":"C"}\n',
      line: 1,
      field: 'answer',
    },
    {
      name: 'gsm8k',
      file: 'gsm.jsonl',
      text: '{"question":"1+1?","answer":"2\\n#### 2"}\n{"question":"2+2?","answer":"four"}\n',
      line: 2,
      field: 'answer',
    },
    {
      name: 'gpqa',
      file: 'gpqa.csv',
      text: 'Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3\nq,a,b,c,\n',
      line: 2,
      field: 'Incorrect Answer 3',
    },
    {
      name: 'truthfulqa',
      file: 'tqa.csv',
      text: 'Type,Category,Question,Best Answer,Best Incorrect Answer,Correct Answers,Incorrect Answers,Source\nA,B,Q?,,x,a;b,c,s\n',
      line: 2,
      field: 'Best Answer',
    },
    {
      name: 'ifeval',
      file: 'ife.jsonl',
      text: '{"key":1,"prompt":"p","instruction_id_list":["punctuation:no_comma"],"kwargs":[{},{}]}\n',
      line: 1,
      field: 'kwargs',
    },
    {
      name: 'mtBench',
      file: 'mt.jsonl',
      text: '{"question_id":81,"category":"writing","turns":[]}\n',
      line: 1,
      field: 'turns',
    },
    {
      name: 'alpacaEval',
      file: 'alpaca.json',
      text: '[\n  {"dataset":"d","instruction":"i"},\n  {"dataset":"d"}\n]',
      line: 3,
      field: 'instruction',
    },
    {
      name: 'alpacaEval',
      file: 'alpaca-one-line.json',
      text: '[{"dataset":"d","instruction":"i"},{"dataset":"d"}]',
      line: 1,
      field: 'instruction',
    },
    {
      name: 'cosafe',
      file: 'cosafe.json',
      text: '[{"role":"user","content":"hi"}]\n[{"role":"assistant","content":"only me"}]\n',
      line: 2,
    },
  ];
  for (const c of cases) {
    it(`${c.name}`, async () => {
      const file = tmpFile(c.file, c.text);
      await expectFileError(loadBenchmark(c.name, { path: file, split: c.split }), file, c.line, c.field);
    });
  }
  it('a CSV with a wrong column count names its line', async () => {
    const file = tmpFile('bad-columns.csv', 'prompt,category\na,b\nc,d,e\n');
    await expectFileError(loadBenchmark('orBench', { path: file }), file, 3);
  });
  it('covers every benchmark name', () => {
    expect(new Set(cases.map((c) => c.name))).toEqual(new Set(benchmarkNames));
  });
});
