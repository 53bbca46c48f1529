import { describe, expect, it } from 'vitest';
import { parseCompareArgs, parseEvalArgs } from './args.js';
import { EvalCliError } from './errors.js';
import { parseServeArgs } from './serve-args.js';

const base = ['--target', 'local:ckpt', '--judge', 'local'];

function flagOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (EvalCliError.isInstance(e)) return e.flag;
    throw e;
  }
  return undefined;
}

describe('parseEvalArgs', () => {
  it('has documented defaults', () => {
    const a = parseEvalArgs(base);
    expect(a).toMatchObject({
      target: { kind: 'local', dir: 'ckpt' },
      judge: { kind: 'local' },
      suites: ['safety'],
      limit: undefined,
      concurrency: 4,
      batchSize: 8,
      out: 'magic-eval-out',
      cache: undefined,
      dataDir: undefined,
      paths: {},
      device: 'auto',
      maxTokens: 512,
      extractAnswer: true,
      judgeMaxTokens: 512,
      judgeTokenizer: undefined,
      judgeTimeout: 30,
      judgeLlm: undefined,
      temperature: 0,
      seed: 0,
      bootstrapSamples: 1000,
      planner: undefined,
      xteamingPlans: 10,
      xteamingTurns: 3,
      plain: false,
      help: false,
    });
  });

  it('reads every flag', () => {
    const a = parseEvalArgs([
      '--target',
      'openai:http://127.0.0.1:8000/v1#m',
      '--judge',
      'wildguard:http://127.0.0.1:9000/v1',
      '--suite',
      'capability,multi-turn',
      '--limit',
      '7',
      '--concurrency',
      '3',
      '--batch-size',
      '2',
      '--out',
      'o',
      '--cache',
      'c.jsonl',
      '--data-dir',
      'd',
      '--path',
      'wildguardtest=w.csv',
      '--path',
      'or-bench-hard=h.csv',
      '--device',
      'wasm',
      '--max-tokens',
      '64',
      '--temperature',
      '0.7',
      '--seed=-3',
      '--bootstrap',
      '50',
      '--planner',
      'openai:http://h/v1#p',
      '--attacker',
      'local:att',
      '--scorer',
      'openai:http://h/v1#s',
      '--xteaming-plans',
      '2',
      '--xteaming-turns',
      '5',
      '--plain',
    ]);
    expect(a).toMatchObject({
      target: { kind: 'openai', baseURL: 'http://127.0.0.1:8000/v1', model: 'm' },
      judge: { kind: 'wildguard', baseURL: 'http://127.0.0.1:9000/v1', model: 'orm' },
      suites: ['capability', 'multi-turn'],
      limit: 7,
      concurrency: 3,
      batchSize: 2,
      out: 'o',
      cache: 'c.jsonl',
      dataDir: 'd',
      paths: { wildguardtest: 'w.csv', orBenchHard: 'h.csv' },
      device: 'wasm',
      maxTokens: 64,
      temperature: 0.7,
      seed: -3,
      bootstrapSamples: 50,
      planner: { kind: 'openai', model: 'p' },
      attacker: { kind: 'local', dir: 'att' },
      scorer: { kind: 'openai', model: 's' },
      xteamingPlans: 2,
      xteamingTurns: 5,
      plain: true,
    });
  });

  it('reads the eval-protocol flags: named budgets, answer extraction, judge budget and tokenizer, judge LLM', () => {
    expect(parseEvalArgs([...base, '--max-tokens', 'paper-cot']).maxTokens).toBe(8192);
    expect(parseEvalArgs([...base, '--max-tokens', 'default']).maxTokens).toBe(512);
    const a = parseEvalArgs([
      ...base,
      '--extract-answer',
      'off',
      '--judge-max-tokens',
      'off',
      '--judge-tokenizer',
      'tok',
      '--judge-timeout',
      '2.5',
      '--judge-llm',
      'openai:http://127.0.0.1:9/v1#judge',
    ]);
    expect(a).toMatchObject({
      extractAnswer: false,
      judgeMaxTokens: null,
      judgeTokenizer: 'tok',
      judgeTimeout: 2.5,
      judgeLlm: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'judge' },
    });
    expect(parseEvalArgs([...base, '--judge-max-tokens', '300']).judgeMaxTokens).toBe(300);
  });

  it('expands --suite all and allows no judge for capability only', () => {
    expect(parseEvalArgs([...base, '--suite', 'all']).suites).toEqual([
      'safety',
      'over-refusal',
      'multi-turn',
      'capability',
      'judge-quality',
    ]);
    expect(parseEvalArgs(['--target', 'local:x', '--suite', 'capability']).judge).toBeUndefined();
    expect(parseEvalArgs(['--help']).help).toBe(true);
  });

  it('judge-quality needs no target, and --data is its labelled set', () => {
    const a = parseEvalArgs(['--judge', 'local', '--suite', 'judge-quality', '--data', 'labels.jsonl']);
    expect(a.target).toBeUndefined();
    expect(a.paths).toEqual({ guardLabels: 'labels.jsonl' });
    expect(flagOf(() => parseEvalArgs(['--judge', 'local', '--suite', 'judge-quality,safety']))).toBe('--target');
    expect(flagOf(() => parseEvalArgs([...base, '--data', 'x.jsonl']))).toBe('--data');
    expect(
      flagOf(() =>
        parseEvalArgs([...base, '--suite', 'judge-quality', '--data', 'x.jsonl', '--path', 'guardLabels=y.jsonl']),
      ),
    ).toBe('--data');
  });

  it.each([
    [['--judge', 'local'], '--target'],
    [['--target', 'hf:x', '--judge', 'local'], '--target'],
    [['--target', 'local:x'], '--judge'],
    [['--target', 'local:x', '--judge', 'gpt4'], '--judge'],
    [['--target', 'local:x', '--judge', 'harmbench-cls:http://h/v1', '--suite', 'judge-quality'], '--judge'],
    [[...base, '--suite', 'safty'], '--suite'],
    [[...base, '--limit', '0'], '--limit'],
    [[...base, '--limit', 'ten'], '--limit'],
    [[...base, '--concurrency', '-1'], '--concurrency'],
    [[...base, '--batch-size', '1.5'], '--batch-size'],
    [[...base, '--out', ''], '--out'],
    [[...base, '--cache', ''], '--cache'],
    [[...base, '--data-dir', ''], '--data-dir'],
    [[...base, '--path', 'nonsense'], '--path'],
    [[...base, '--path', 'notabenchmark=x.csv'], '--path'],
    [[...base, '--device', 'tpu'], '--device'],
    [[...base, '--max-tokens', '0'], '--max-tokens'],
    [[...base, '--max-tokens', 'cot'], '--max-tokens'],
    [[...base, '--extract-answer', 'yes'], '--extract-answer'],
    [[...base, '--judge-max-tokens', '0'], '--judge-max-tokens'],
    [[...base, '--judge-timeout', '0'], '--judge-timeout'],
    [[...base, '--judge-llm', 'local'], '--judge-llm'],
    [[...base, '--temperature', '-1'], '--temperature'],
    [[...base, '--seed', '1.5'], '--seed'],
    [[...base, '--bootstrap', '0'], '--bootstrap'],
    [[...base, '--planner', 'openai:http://h/v1#p'], '--attacker'],
    [[...base, '--attacker', 'openai:http://h/v1#p'], '--planner'],
    [[...base, '--planner', 'bad', '--attacker', 'local:a'], '--planner'],
    [[...base, '--scorer', 'local:s'], '--scorer'],
    [[...base, '--planner', 'local:p', '--attacker', 'local:a', '--xteaming-plans', '0'], '--xteaming-plans'],
    [[...base, '--planner', 'local:p', '--attacker', 'local:a', '--xteaming-turns', 'x'], '--xteaming-turns'],
    [[...base, '--frobnicate'], '--frobnicate'],
    [[...base, '--limit'], '--limit'],
    [[...base, 'stray'], 'stray'],
  ])('%j is a usage error naming %s', (argv, flag) => {
    expect(flagOf(() => parseEvalArgs(argv))).toBe(flag);
  });
});

describe('parseCompareArgs', () => {
  it('reads two runs and options', () => {
    expect(parseCompareArgs(['a', 'b', '--out', 'o', '--name-a', 'base', '--name-b', 'magic'])).toEqual({
      runA: 'a',
      runB: 'b',
      out: 'o',
      nameA: 'base',
      nameB: 'magic',
      help: false,
    });
  });
  it('needs exactly two runs', () => {
    expect(flagOf(() => parseCompareArgs(['a']))).toBe('compare');
    expect(flagOf(() => parseCompareArgs(['a', 'b', 'c']))).toBe('compare');
    expect(flagOf(() => parseCompareArgs(['a', 'b', '--out', '']))).toBe('--out');
    expect(flagOf(() => parseCompareArgs(['a', 'b', '--bogus']))).toBe('--bogus');
  });
});

describe('parseServeArgs', () => {
  it('has defaults and reads every flag', () => {
    expect(parseServeArgs(['--model', 'runs/x/ckpt'])).toEqual({
      model: 'runs/x/ckpt',
      modelName: 'ckpt',
      host: '127.0.0.1',
      port: 8000,
      device: 'auto',
      apiKey: undefined,
      maxBatch: 16,
      batchWindowMs: 5,
      maxTokens: 512,
      help: false,
    });
    expect(
      parseServeArgs([
        '--model',
        'm',
        '--model-name',
        'defender',
        '--port',
        '0',
        '--host',
        '0.0.0.0',
        '--device',
        'cpu',
        '--api-key',
        'k',
        '--max-batch',
        '4',
        '--batch-window-ms',
        '0',
        '--max-tokens',
        '32',
      ]),
    ).toMatchObject({
      modelName: 'defender',
      port: 0,
      host: '0.0.0.0',
      device: 'cpu',
      apiKey: 'k',
      maxBatch: 4,
      batchWindowMs: 0,
      maxTokens: 32,
    });
    expect(parseServeArgs(['--model', 'm'], { MAGIC_SERVE_API_KEY: 'env' }).apiKey).toBe('env');
  });

  it.each([
    [[], '--model'],
    [['--model', 'm', '--port', '70000'], '--port'],
    [['--model', 'm', '--port', 'x'], '--port'],
    [['--model', 'm', '--device', 'gpu'], '--device'],
    [['--model', 'm', '--max-batch', '0'], '--max-batch'],
    [['--model', 'm', '--batch-window-ms', '-1'], '--batch-window-ms'],
    [['--model', 'm', '--max-tokens', '0'], '--max-tokens'],
    [['--model', 'm', '--api-key', ''], '--api-key'],
    [['--model', 'm', '--host', ''], '--host'],
    [['--model', 'm', '--nope'], '--nope'],
  ])('%j is a usage error naming %s', (argv, flag) => {
    expect(flagOf(() => parseServeArgs(argv))).toBe(flag);
  });
});
